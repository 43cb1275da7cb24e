package testgitea

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"text/template"
)

// appINI is the whole configuration of a test server: sqlite, no mailer, no
// SSH (and no authorized_keys file outside the work directory), no LFS, no
// Actions, offline, installed. Every secret Gitea would otherwise generate
// and write back into app.ini is set, so the file stays as written.
var appINI = template.Must(template.New("app.ini").Parse(`APP_NAME = clusterscribe test forge
RUN_MODE = prod
WORK_PATH = {{.WorkDir}}
I_AM_BEING_UNSAFE_RUNNING_AS_ROOT = true

[server]
PROTOCOL = http
HTTP_ADDR = 127.0.0.1
HTTP_PORT = {{.Port}}
DOMAIN = 127.0.0.1
ROOT_URL = http://127.0.0.1:{{.Port}}/
LOCAL_ROOT_URL = http://127.0.0.1:{{.Port}}/
STATIC_ROOT_PATH = {{.StaticDir}}
APP_DATA_PATH = {{.WorkDir}}/data
OFFLINE_MODE = true
DISABLE_SSH = true
START_SSH_SERVER = false
SSH_ROOT_PATH = {{.WorkDir}}/ssh
SSH_CREATE_AUTHORIZED_KEYS_FILE = false
SSH_CREATE_AUTHORIZED_PRINCIPALS_FILE = false
LFS_START_SERVER = false
GRACEFUL_HAMMER_TIME = 5s

[database]
DB_TYPE = sqlite3
PATH = {{.WorkDir}}/data/gitea.db

[repository]
ROOT = {{.WorkDir}}/repositories
DEFAULT_BRANCH = main

[security]
INSTALL_LOCK = true
SECRET_KEY = {{.SecretKey}}
INTERNAL_TOKEN = {{.InternalToken}}

[oauth2]
ENABLED = false
JWT_SECRET = {{.JWTSecret}}

[service]
DISABLE_REGISTRATION = true
REQUIRE_SIGNIN_VIEW = false

[mailer]
ENABLED = false

[actions]
ENABLED = false

[packages]
ENABLED = false

[indexer]
ISSUE_INDEXER_TYPE = db

[session]
PROVIDER = memory

[cache]
ADAPTER = memory

[cron.update_checker]
ENABLED = false

[log]
MODE = console
LEVEL = info
ROOT_PATH = {{.WorkDir}}/log
`))

// settings is what appINI needs.
type settings struct {
	WorkDir, StaticDir string
	Port               int
	SecretKey          string
	InternalToken      string
	JWTSecret          string
}

func newSettings(workDir, staticDir string) (settings, error) {
	secret := func(n int) ([]byte, error) {
		b := make([]byte, n)
		if _, err := rand.Read(b); err != nil {
			return nil, fmt.Errorf("generate secret: %w", err)
		}
		return b, nil
	}
	key, err := secret(32)
	if err != nil {
		return settings{}, err
	}
	internal, err := secret(32)
	if err != nil {
		return settings{}, err
	}
	jwt, err := secret(32) // Gitea insists on exactly 32 bytes
	if err != nil {
		return settings{}, err
	}
	return settings{
		WorkDir:       workDir,
		StaticDir:     staticDir,
		SecretKey:     hex.EncodeToString(key),
		InternalToken: hex.EncodeToString(internal),
		JWTSecret:     base64.RawURLEncoding.EncodeToString(jwt),
	}, nil
}

// path is where app.ini lives in the work directory.
func (c settings) path() string { return filepath.Join(c.WorkDir, "custom", "conf", "app.ini") }

// write renders app.ini for c.Port.
func (c settings) write() error {
	var buf bytes.Buffer
	if err := appINI.Execute(&buf, c); err != nil {
		return fmt.Errorf("render app.ini: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(c.path()), 0o700); err != nil {
		return fmt.Errorf("write app.ini: %w", err)
	}
	if err := os.WriteFile(c.path(), buf.Bytes(), 0o600); err != nil {
		return fmt.Errorf("write app.ini: %w", err)
	}
	return nil
}
