package testcluster

import (
	"fmt"
	"os"

	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

// User is a client-certificate identity of the control plane. It may do
// only what RBAC grants its name and groups (unless a group is
// system:masters), and the API server's audit log names it.
type User struct {
	// Name is the user name the API server authenticates.
	Name string
	// Config is a client configuration authenticating as the user.
	Config *rest.Config
	// Kubeconfig is the same access as a kubeconfig file's content.
	Kubeconfig []byte
}

// AddUser provisions a client certificate for name in groups.
func (c *Cluster) AddUser(name string, groups ...string) (*User, error) {
	u, err := c.env.ControlPlane.AddUser(envtest.User{Name: name, Groups: groups}, nil)
	if err != nil {
		return nil, fmt.Errorf("provision user %s: %w", name, err)
	}
	kubeconfig, err := u.KubeConfig()
	if err != nil {
		return nil, fmt.Errorf("render kubeconfig of %s: %w", name, err)
	}
	return &User{Name: name, Config: u.Config(), Kubeconfig: kubeconfig}, nil
}

// WriteKubeconfig writes the user's kubeconfig to path (mode 0600).
func (u *User) WriteKubeconfig(path string) error {
	if err := os.WriteFile(path, u.Kubeconfig, 0o600); err != nil {
		return fmt.Errorf("write kubeconfig of %s: %w", u.Name, err)
	}
	return nil
}
