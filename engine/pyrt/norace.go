//go:build !race

package pyrt

const raceEnabled = false
