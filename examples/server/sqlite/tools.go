//go:build tools

// The tools-file convention: this import keeps the example server's module
// (examples/server, through its replace directive) in go.mod, since run.sh builds
// it from here and go mod tidy only counts imports.
package sqlite

import _ "github.com/cardconfirm/cardconfirm/examples/server"
