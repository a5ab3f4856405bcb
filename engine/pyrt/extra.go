package pyrt

import (
	"math/rand"

	"github.com/go-python/gpython/py"
)

type pyRandom struct{ r *rand.Rand }

func newRandom(seed int64) *pyRandom { return &pyRandom{r: rand.New(rand.NewSource(seed))} }

func extraBuiltins(in *Interp) map[string]py.Object {
	return map[string]py.Object{}
}
