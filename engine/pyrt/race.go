//go:build race

package pyrt

// raceEnabled: the race detector reserves terabytes of address space, so a
// worker of a race build cannot limit its address space.
const raceEnabled = true
