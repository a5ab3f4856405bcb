package app

import (
	"github.com/sluice-etl/sluice/engine/component"
	"github.com/sluice-etl/sluice/engine/delivery"
)

// Kinds tells the frontend which node kinds exist.
type Kinds struct {
	reg *component.Registry
}

// Catalog is everything the palette and the forms are generated from.
type Catalog struct {
	// Kinds are sources first, then transforms, then destinations.
	Kinds []*component.Spec `json:"kinds"`
	// Delivery is the schema of a destination's delivery settings.
	Delivery *component.Schema `json:"delivery"`
}

// Catalog returns every registered kind with its config schema.
func (k *Kinds) Catalog() (*Catalog, error) {
	return &Catalog{Kinds: k.reg.Specs(), Delivery: delivery.Schema}, nil
}
