// Package all links every node kind into a binary: import it for its side
// effect of registering them in component.Default.
package all

import (
	_ "github.com/sluice-etl/sluice/engine/nodes/file"
	_ "github.com/sluice-etl/sluice/engine/nodes/generate"
	_ "github.com/sluice-etl/sluice/engine/nodes/http"
	_ "github.com/sluice-etl/sluice/engine/nodes/log"
	_ "github.com/sluice-etl/sluice/engine/nodes/poll"
	_ "github.com/sluice-etl/sluice/engine/nodes/python"
	_ "github.com/sluice-etl/sluice/engine/nodes/webhook"
)
