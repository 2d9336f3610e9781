package node

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const validLeader = `
role = "leader"
data_dir = "/var/lib/im"
verify_key = "file:///etc/im/verify.key"
admin_token_sha256 = "` + zeros + `"
[peer]
url = "http://helper:8080"
token = "env://IM_PEER_TOKEN"
statement_key = "/etc/im/helper-statement.pub"
`

const zeros = "0000000000000000000000000000000000000000000000000000000000000000"

func TestLoadConfig(t *testing.T) {
	tests := []struct {
		name, toml, want string
	}{
		{"valid leader", validLeader, ""},
		{"misspelt setting", validLeader + "jobsize = 5\n", "jobsize"},
		{"bad role", strings.Replace(validLeader, `"leader"`, `"boss"`, 1),
			"role"},
		{"no verify key", strings.Replace(validLeader,
			`verify_key = "file:///etc/im/verify.key"`, "", 1), "verify_key"},
		{"short token hash", strings.Replace(validLeader, zeros, "abc", 1),
			"admin_token_sha256"},
		{"bad lease", "job_lease = \"soon\"\n" + validLeader, "job_lease"},
		{"leader without peer", validLeader[:strings.Index(validLeader,
			"[peer]")], "peer.url"},
		{"helper without publisher key", strings.Replace(
			validLeader[:strings.Index(validLeader, "[peer]")],
			`"leader"`, `"helper"`, 1) + "peer_token_sha256 = \"" +
			zeros + "\"\n", "publisher_key"},
		{"not TOML", "role = ", "config"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "c.toml")
			if err := os.WriteFile(p, []byte(tc.toml), 0o600); err != nil {
				t.Fatal(err)
			}
			c, err := LoadConfig(p)
			if err == nil {
				err = c.Validate()
			}
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("config = %v, want valid", err)
			case tc.want != "" && (err == nil ||
				!strings.Contains(err.Error(), tc.want)):
				t.Errorf("config = %v, want an error naming %q", err, tc.want)
			}
		})
	}
}

func TestDefaults(t *testing.T) {
	p := filepath.Join(t.TempDir(), "c.toml")
	if err := os.WriteFile(p, []byte(validLeader), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := LoadConfig(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.Listen != "127.0.0.1:8080" || c.Methodology != "v1" ||
		c.JobSize != 100 || c.JobLease != "1m" || c.Instance == "" {
		t.Errorf("defaults = %+v", c)
	}
}

// TestKeysRefuseOverwrite checks that provisioning twice cannot destroy
// a node's keys, and that a keyset loads only for its own role.
func TestKeysRefuseOverwrite(t *testing.T) {
	dir := t.TempDir()
	if err := GenerateKeys(dir, 0); err != nil {
		t.Fatal(err)
	}
	if err := GenerateKeys(dir, 0); err == nil {
		t.Error("GenerateKeys over existing keys succeeded")
	}
	c := &Config{DataDir: dir}
	if _, err := loadKeys(c, 0); err != nil {
		t.Errorf("load leader keys: %v", err)
	}
	if _, err := loadKeys(c, 1); err == nil {
		t.Error("leader keys loaded as the helper's")
	}
}
