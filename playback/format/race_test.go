//go:build race

package format

// raceSlowdown stretches time limits under the race detector.
const raceSlowdown = 10
