package perf

import (
	"fmt"
	"strings"
	"time"
)

// Profile is a named set of performance settings, selected with --profile
// everywhere. It is a plain struct: copy it, change a field, pass it on.
//
//	                 default   aggressive  conservative
//	BatchDelay       16 ms     8 ms        32 ms
//	BatchSize        16        10          20
//	MemoryLimitMB    100       80          100
//	Compression      on        on          off
//	GPUAntiAlias     on        on          off
//	TargetFPS        60        60          60
//	OptimizerWindow  120       60          180   (frames in the rolling p95)
//	DegradeAbove     1.0       0.9         1.0   (× budget, rolling p95)
//	RestoreBelow     0.6       0.5         0.6
//	SustainFrames    30        15          60
//	RestoreFrames    120       180         240
//	CooldownFrames   60        30          120
//	WebSocketP99     50 ms     50 ms       50 ms
//	AlertWindow      10 s      10 s        30 s
//
// "aggressive" trades quality and memory for speed early; "conservative"
// keeps the network plain and batches more, and changes quality reluctantly.
type Profile struct {
	Name string `json:"name"`
	// BatchDelay and BatchSize: WebSocket move batching flushes after
	// BatchDelay or at BatchSize moves, whichever comes first.
	BatchDelay time.Duration `json:"batch_delay"`
	BatchSize  int           `json:"batch_size"`
	// MemoryLimitMB is the memory budget (MemoryOptimizer, runtime soft
	// limit, the memory invariant).
	MemoryLimitMB float64 `json:"memory_limit_mb"`
	// Compression turns on permessage-deflate for large WebSocket payloads.
	Compression bool `json:"compression"`
	// GPUAntiAlias is whether strokes start anti-aliased.
	GPUAntiAlias bool `json:"gpu_antialias"`
	// TargetFPS sets the frame budget.
	TargetFPS float64 `json:"target_fps"`
	// Render optimizer thresholds (see RenderOptimizerOptions).
	OptimizerWindow int     `json:"optimizer_window"`
	DegradeAbove    float64 `json:"degrade_above"`
	RestoreBelow    float64 `json:"restore_below"`
	SustainFrames   int     `json:"sustain_frames"`
	RestoreFrames   int     `json:"restore_frames"`
	CooldownFrames  int     `json:"cooldown_frames"`
	// Alert thresholds (see MonitorOptions).
	WebSocketP99  time.Duration `json:"websocket_p99"`
	SmoothStrokes int           `json:"smooth_strokes"`
	AlertWindow   time.Duration `json:"alert_window"`
	AlertHistory  int           `json:"alert_history"`
}

var profiles = []Profile{
	{Name: "default", BatchDelay: 16 * time.Millisecond, BatchSize: 16, MemoryLimitMB: 100,
		Compression: true, GPUAntiAlias: true, TargetFPS: 60,
		OptimizerWindow: 120, DegradeAbove: 1.0, RestoreBelow: 0.6, SustainFrames: 30, RestoreFrames: 120, CooldownFrames: 60,
		WebSocketP99: 50 * time.Millisecond, SmoothStrokes: 1000, AlertWindow: 10 * time.Second, AlertHistory: 100},
	{Name: "aggressive", BatchDelay: 8 * time.Millisecond, BatchSize: 10, MemoryLimitMB: 80,
		Compression: true, GPUAntiAlias: true, TargetFPS: 60,
		OptimizerWindow: 60, DegradeAbove: 0.9, RestoreBelow: 0.5, SustainFrames: 15, RestoreFrames: 180, CooldownFrames: 30,
		WebSocketP99: 50 * time.Millisecond, SmoothStrokes: 1000, AlertWindow: 10 * time.Second, AlertHistory: 100},
	{Name: "conservative", BatchDelay: 32 * time.Millisecond, BatchSize: 20, MemoryLimitMB: 100,
		Compression: false, GPUAntiAlias: false, TargetFPS: 60,
		OptimizerWindow: 180, DegradeAbove: 1.0, RestoreBelow: 0.6, SustainFrames: 60, RestoreFrames: 240, CooldownFrames: 120,
		WebSocketP99: 50 * time.Millisecond, SmoothStrokes: 1000, AlertWindow: 30 * time.Second, AlertHistory: 100},
}

// ProfileNames lists the profiles' names, default first.
func ProfileNames() []string {
	names := make([]string, len(profiles))
	for i, p := range profiles {
		names[i] = p.Name
	}
	return names
}

// Profiles returns every built-in profile, default first.
func Profiles() []Profile { return append([]Profile(nil), profiles...) }

// DefaultProfile returns the "default" profile.
func DefaultProfile() Profile { return profiles[0] }

// ProfileByName returns the named profile; "" means "default". An unknown
// name gets an error listing the valid names.
func ProfileByName(name string) (Profile, error) {
	if name == "" {
		return DefaultProfile(), nil
	}
	for _, p := range profiles {
		if p.Name == name {
			return p, nil
		}
	}
	return Profile{}, fmt.Errorf("unknown profile %q (valid: %s)", name, strings.Join(ProfileNames(), ", "))
}

// Budget returns the profile's frame budget.
func (p Profile) Budget() time.Duration { return BudgetForFPS(p.TargetFPS) }

// StartKnobs returns the knobs a run starts from under this profile.
func (p Profile) StartKnobs() Knobs {
	k := DefaultKnobs()
	k.AntiAlias = p.GPUAntiAlias
	return k
}

// RenderOptimizerOptions returns the render optimizer's settings under this
// profile. For `bench --budget-ms X`, set Budget on the result.
func (p Profile) RenderOptimizerOptions() RenderOptimizerOptions {
	return RenderOptimizerOptions{
		TargetFPS: p.TargetFPS, Window: p.OptimizerWindow,
		DegradeAbove: p.DegradeAbove, RestoreBelow: p.RestoreBelow,
		SustainFrames: p.SustainFrames, RestoreFrames: p.RestoreFrames, Cooldown: p.CooldownFrames,
		Start: p.StartKnobs(),
	}
}

// MonitorOptions returns the monitor's settings under this profile.
func (p Profile) MonitorOptions() MonitorOptions {
	return MonitorOptions{
		TargetFPS: p.TargetFPS, MemoryLimitMB: p.MemoryLimitMB, WebSocketP99: p.WebSocketP99,
		SmoothStrokes: p.SmoothStrokes, AlertWindow: p.AlertWindow, AlertHistory: p.AlertHistory,
	}
}

// TraceOptions returns trace settings whose over-budget line is the
// profile's frame budget and whose metadata names the profile.
func (p Profile) TraceOptions() TraceOptions {
	return TraceOptions{Budget: p.Budget(), Meta: map[string]string{"profile": p.Name}}
}
