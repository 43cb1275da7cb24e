// Package version reports the build's version, commit and the client-go it
// was built with.
package version

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// Set with -ldflags "-X github.com/clusterscribe/clusterscribe/internal/version.Version=…".
// Without them, Get reads the version of the main module from the build
// info: `go install …/cmd/clusterscribe@v1.2.3` reports v1.2.3.
var (
	Version = "dev"
	Commit  = "unknown"
)

// Info is what `clusterscribe version` prints.
type Info struct {
	Version         string `json:"version"`
	Commit          string `json:"commit"`
	GoVersion       string `json:"goVersion"`
	ClientGoVersion string `json:"clientGoVersion"`
}

// Get returns the build information of the running binary.
func Get() Info {
	info := Info{Version: Version, Commit: Commit, GoVersion: runtime.Version(), ClientGoVersion: "unknown"}
	if bi, ok := debug.ReadBuildInfo(); ok {
		info.Version = moduleVersion(info.Version, bi)
		for _, dep := range bi.Deps {
			if dep.Path == "k8s.io/client-go" {
				info.ClientGoVersion = dep.Version
				if dep.Replace != nil {
					info.ClientGoVersion = dep.Replace.Version
				}
			}
		}
		if info.Commit == "unknown" {
			for _, s := range bi.Settings {
				if s.Key == "vcs.revision" {
					info.Commit = s.Value
				}
			}
		}
	}
	return info
}

// String renders the information on one line.
func (i Info) String() string {
	return fmt.Sprintf("clusterscribe %s (commit %s, %s, client-go %s)", i.Version, i.Commit, i.GoVersion, i.ClientGoVersion)
}

// moduleVersion is the version set by ldflags or, without one, the main
// module's version from the build info ("(devel)" in a work tree build
// keeps "dev").
func moduleVersion(ldflags string, bi *debug.BuildInfo) string {
	if ldflags != "dev" {
		return ldflags
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	return ldflags
}
