package testcluster

import "syscall"

// childAttrs puts a child in a process group of its own and has the kernel
// kill it when this process dies.
func childAttrs() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
