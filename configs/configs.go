// Package configs embeds the shipped experiment configurations, so that
// "subsetscan run" and "subsetscan list" work from any directory.
package configs

import (
	"embed"
	"io/fs"
	"slices"
	"strings"
)

//go:embed *.yaml
var files embed.FS

// Default is the name of the configuration "subsetscan run" uses when none
// is given: the published MNIST protocol on this project's own models and
// attacks, which needs no file outside the binary.
const Default = "ae-mnist"

// Names returns the names (file names without .yaml) of the shipped
// configurations, sorted.
func Names() []string {
	entries, _ := fs.ReadDir(files, ".")
	var names []string
	for _, e := range entries {
		names = append(names, strings.TrimSuffix(e.Name(), ".yaml"))
	}
	slices.Sort(names)
	return names
}

// Read returns the YAML of a shipped configuration.
func Read(name string) ([]byte, bool) {
	b, err := files.ReadFile(name + ".yaml")
	return b, err == nil
}
