// Command etcd is the etcd server used by the local control plane, built
// from the Go module proxy so that no download site is needed.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
