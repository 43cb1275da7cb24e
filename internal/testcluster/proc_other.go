//go:build !linux

package testcluster

import "syscall"

// childAttrs puts a child in a process group of its own.
func childAttrs() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
