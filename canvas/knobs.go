package canvas

import "mbotdraw/perf"

// QualityOf maps the render optimizer's knobs (perf.Knobs) onto the
// canvas's quality options: the one mapping the window and the bench use.
// perf.Knobs are in the canvas's units, so each knob carries over as it is;
// in particular full quality's keyframe spacing is 0, the canvas's
// automatic spacing (as close as the keyframe memory allows, never closer
// than MinKeyframeSpacing), and only the degraded steps ask for sparser
// keyframes (perf.SparseKeyframeSpacings).
func QualityOf(k perf.Knobs) Quality {
	return Quality{NoAntiAlias: !k.AntiAlias, SimplifyTolerance: k.Tolerance,
		BatchVertices: k.BatchVertices, KeyframeSpacing: k.KeyframeSpacing, DeferBake: k.DeferBake}
}

// Knobs is QualityOf's inverse: the optimizer's knobs q stands for.
func (q Quality) Knobs() perf.Knobs {
	return perf.Knobs{AntiAlias: !q.NoAntiAlias, Tolerance: q.SimplifyTolerance,
		BatchVertices: q.BatchVertices, KeyframeSpacing: q.KeyframeSpacing, DeferBake: q.DeferBake}
}
