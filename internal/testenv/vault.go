package testenv

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/hashicorp/vault/api"

	"github.com/infermargin/infermargin/internal/testenv/vaultsim"
)

// VaultServer is the Vault a test talks to: the in-process simulator
// (package vaultsim), or the real Vault that VAULT_ADDR and
// VAULT_TOKEN name. Its helpers write through the real vault/api
// client in both cases, under a prefix of the test's own, and remove
// what they wrote when the test ends.
type VaultServer struct {
	// Addr is the server's address, for api.Config.Address.
	Addr string
	// Token is a token that may do everything the helpers do: the
	// simulator's root token, or VAULT_TOKEN.
	Token string
	// KVMount is the KV version 2 mount the helpers write to,
	// "secret" as on a dev server.
	KVMount string
	// Sim is the simulator, or nil against a real Vault.
	Sim *vaultsim.Server

	prefix string
}

// Vault returns the Vault for t. With both VAULT_ADDR and VAULT_TOKEN
// set it is that real Vault, which must have a KV version 2 engine at
// secret/ and a token that may write policies, roles and keys there
// (the root token of `vault server -dev`); AppRole and Transit tests
// are skipped, with a note, where those are not enabled. Otherwise it
// is a simulator started for t and stopped when t ends.
func Vault(t testing.TB) *VaultServer {
	t.Helper()
	v := &VaultServer{KVMount: "secret",
		prefix: "infermargin-test/" + randomHex(t, 8)}
	addr, tok := os.Getenv(api.EnvVaultAddress),
		os.Getenv(api.EnvVaultToken)
	if addr != "" && tok != "" {
		t.Logf("testing against the real Vault at %s (VAULT_ADDR)", addr)
		v.Addr, v.Token = addr, tok
		return v
	}

	s := vaultsim.New()
	t.Cleanup(s.Close)
	v.Addr, v.Token, v.Sim = s.URL(), s.RootToken(), s
	return v
}

// Client returns a new client of v's address holding v.Token.
func (v *VaultServer) Client(t testing.TB) *api.Client {
	t.Helper()
	cfg := api.DefaultConfig()
	if cfg.Error != nil {
		t.Fatalf("vault config: %v", cfg.Error)
	}
	cfg.Address = v.Addr
	c, err := api.NewClient(cfg)
	if err != nil {
		t.Fatalf("vault client: %v", err)
	}
	c.SetToken(v.Token)
	return c
}

// PutKV writes data as a new version of the KV version 2 secret at
// path under the test's prefix, and returns the full path written,
// to be read from v.KVMount. The secret is removed when t ends.
func (v *VaultServer) PutKV(
	t testing.TB, path string, data map[string]any,
) string {
	t.Helper()
	full := v.prefix + "/" + path
	kv := v.Client(t).KVv2(v.KVMount)
	if _, err := kv.Put(context.Background(), full, data); err != nil {
		t.Fatalf("put %s/%s: %v", v.KVMount, full, err)
	}
	t.Cleanup(func() {
		if err := kv.DeleteMetadata(context.Background(), full); err != nil {
			t.Logf("delete %s/%s: %v", v.KVMount, full, err)
		}
	})
	return full
}

// AppRole creates an AppRole role whose tokens may read the test's
// KV secrets, and returns its role id and a new secret id. Against a
// real Vault it writes a policy for that, and skips t if AppRole is
// not enabled at auth/approle.
func (v *VaultServer) AppRole(t testing.TB) (roleID, secretID string) {
	t.Helper()
	c := v.Client(t)
	name := "infermargin-test-" + randomHex(t, 8)
	role := "auth/approle/role/" + name
	pol := v.policy(t, c, name)

	_, err := c.Logical().Write(role,
		map[string]any{"token_policies": pol, "token_ttl": "10m"})
	if err != nil && v.Sim == nil {
		t.Skipf("AppRole is not usable on %s, so AppRole tests are "+
			"skipped (enable it with `vault auth enable approle`): %v",
			v.Addr, err)
	}
	if err != nil {
		t.Fatalf("write %s: %v", role, err)
	}
	t.Cleanup(func() { v.delete(t, c, role) })

	roleID = v.read(t, c, role+"/role-id", "role_id")
	secretID = v.write(t, c, role+"/secret-id",
		map[string]any{}, "secret_id")
	return roleID, secretID
}

// policy writes, against a real Vault, an ACL policy named name that
// reads the test's KV secrets, and returns the policies for a role.
// The simulator enforces no policy, so there it writes nothing.
func (v *VaultServer) policy(
	t testing.TB, c *api.Client, name string,
) []string {
	t.Helper()
	if v.Sim != nil {
		return nil
	}
	rules := fmt.Sprintf("path %q {\n  capabilities = [\"read\"]\n}\n",
		v.KVMount+"/data/"+v.prefix+"/*")
	if err := c.Sys().PutPolicy(name, rules); err != nil {
		t.Fatalf("write policy %s: %v", name, err)
	}
	t.Cleanup(func() {
		if err := c.Sys().DeletePolicy(name); err != nil {
			t.Logf("delete policy %s: %v", name, err)
		}
	})
	return []string{name}
}

// TransitKey creates an aes256-gcm96 key in the Transit engine at
// transit/ and returns its name; the key is deleted when t ends.
// Against a real Vault it skips t if Transit is not mounted there.
func (v *VaultServer) TransitKey(t testing.TB) string {
	t.Helper()
	c := v.Client(t)
	name := "infermargin-test-" + randomHex(t, 8)
	key := "transit/keys/" + name

	_, err := c.Logical().Write(key,
		map[string]any{"type": "aes256-gcm96"})
	if err != nil && v.Sim == nil {
		t.Skipf("Transit is not usable on %s, so Transit tests are "+
			"skipped (enable it with `vault secrets enable transit`): %v",
			v.Addr, err)
	}
	if err != nil {
		t.Fatalf("write %s: %v", key, err)
	}
	t.Cleanup(func() {
		allow := map[string]any{"deletion_allowed": true}
		_, err := c.Logical().WriteWithContext(context.Background(),
			key+"/config", allow)
		if err != nil {
			t.Logf("allow deleting %s: %v", key, err)
		}
		v.delete(t, c, key)
	})
	return name
}

// read returns the string field of the data at path.
func (v *VaultServer) read(
	t testing.TB, c *api.Client, path, field string,
) string {
	t.Helper()
	s, err := c.Logical().Read(path)
	if err != nil || s == nil {
		t.Fatalf("read %s: %v (nothing there: %v)", path, err, s == nil)
	}
	f, _ := s.Data[field].(string)
	return f
}

// write writes body to path and returns the string field of the
// response's data.
func (v *VaultServer) write(
	t testing.TB, c *api.Client, path string, body map[string]any,
	field string,
) string {
	t.Helper()
	s, err := c.Logical().Write(path,
		body)
	if err != nil {
		t.Fatalf("write %s: %v", path, err)
	}
	if s == nil {
		t.Fatalf("write %s: empty response", path)
	}
	f, _ := s.Data[field].(string)
	return f
}

// delete removes path, logging a failure: a leftover is no reason to
// fail a test.
func (v *VaultServer) delete(t testing.TB, c *api.Client, path string) {
	if _, err := c.Logical().Delete(path); err != nil {
		t.Logf("delete %s: %v", path, err)
	}
}
