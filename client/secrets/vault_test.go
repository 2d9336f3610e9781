package secrets

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/infermargin/infermargin/internal/testenv"
	"github.com/infermargin/infermargin/internal/testenv/vaultsim"
)

// adminKey is the secret the tests store; no error may show it.
const adminKey = "sk-admin-s3cret-value"

// writeSecret writes s to a new file of mode perm and returns its path.
func writeSecret(t *testing.T, s string, perm os.FileMode) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(p, []byte(s+"\n"), perm); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, perm); err != nil { // umask may narrow it
		t.Fatal(err)
	}
	return p
}

// downAddr returns the address of a Vault that is no longer running.
func downAddr(t *testing.T) string {
	t.Helper()
	s := vaultsim.New()
	s.Close()
	// A closed Vault is retried with back-off; do not wait for it.
	t.Setenv("VAULT_MAX_RETRIES", "0")
	return s.URL()
}

// checkErr fails t unless err wraps want and, when want is set, names
// ref and shows none of hidden.
func checkErr(
	t *testing.T, call string, err, want error, ref string,
	hidden ...string,
) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("%s error = %v, want %v", call, err, want)
	}
	if err == nil {
		return
	}
	if !strings.Contains(err.Error(), ref) {
		t.Errorf("%s error %q does not name %q", call, err, ref)
	}
	for _, h := range hidden {
		if strings.Contains(err.Error(), h) {
			t.Errorf("%s error %q shows a secret", call, err)
		}
	}
}

func TestResolverToken(t *testing.T) {
	v := testenv.Vault(t)
	p := v.PutKV(t, "openai", map[string]any{"admin_key": adminKey,
		"count": 3, "empty": ""})
	ref := "vault://" + v.KVMount + "/" + p
	tokFile := writeSecret(t, v.Token, 0o600)
	good := VaultConfig{Addr: v.Addr, TokenRef: "file://" + tokFile}
	badTok := VaultConfig{Addr: v.Addr,
		TokenRef: "file://" + writeSecret(t, "hvs.not-a-token", 0o600)}
	noTok := VaultConfig{Addr: v.Addr, TokenRef: "env://IM_TEST_UNSET"}
	down := VaultConfig{Addr: downAddr(t), TokenRef: good.TokenRef}

	tests := []struct {
		name string
		cfg  VaultConfig
		ref  string
		want error
	}{
		{"found", good, ref + "#admin_key", nil},
		{"field missing", good, ref + "#nope", ErrNoField},
		{"field not a string", good, ref + "#count", ErrNoField},
		{"field empty", good, ref + "#empty", ErrNoField},
		{"path missing", good, ref + "-gone#admin_key", ErrNotFound},
		{"wrong mount", good,
			"vault://no-such-mount/" + p + "#admin_key", ErrNotFound},
		{"bad token", badTok, ref + "#admin_key", ErrPermission},
		{"no token", noTok, ref + "#admin_key", ErrReference},
		{"vault down", down, ref + "#admin_key", ErrUnreachable},
		{"no field", good, ref, ErrReference},
		{"no path", good, "vault://" + v.KVMount + "#admin_key",
			ErrReference},
		{"dot dot", good, ref + "/../x#admin_key", ErrReference},
		{"empty segment", good, "vault://secret//x#admin_key",
			ErrReference},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewResolver(tt.cfg)
			got, err := r.Resolve(context.Background(), tt.ref)
			call := "Resolve(" + tt.ref + ")"
			checkErr(t, call, err, tt.want, tt.ref, adminKey, v.Token)
			if tt.want == nil && got != adminKey {
				t.Errorf("%s = %q, want the stored key", call, got)
			}
		})
	}
}

func TestResolverAppRole(t *testing.T) {
	v := testenv.Vault(t)
	p := v.PutKV(t, "anthropic", map[string]any{"admin_key": adminKey})
	ref := "vault://" + v.KVMount + "/" + p + "#admin_key"
	roleID, secretID := v.AppRole(t)
	roleFile := writeSecret(t, roleID, 0o600)
	secretFile := writeSecret(t, secretID, 0o600)
	t.Setenv("VAULT_TOKEN", "") // AppRole must not fall back on it

	tests := []struct {
		name             string
		roleID, secretID string
		want             error
	}{
		{"found", roleFile, secretFile, nil},
		{"wrong secret id", roleFile,
			writeSecret(t, "not-the-secret-id", 0o600), ErrPermission},
		{"wrong role id", writeSecret(t, "not-the-role-id", 0o600),
			secretFile, ErrPermission},
		{"secret id readable by others", roleFile,
			writeSecret(t, secretID, 0o644), ErrReference},
		{"secret id file missing", roleFile,
			filepath.Join(t.TempDir(), "none"), os.ErrNotExist},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewResolver(VaultConfig{Addr: v.Addr,
				RoleIDFile: tt.roleID, SecretIDFile: tt.secretID})
			got, err := r.Resolve(context.Background(), ref)
			checkErr(t, "Resolve(AppRole)", err, tt.want, ref, adminKey,
				roleID, secretID)
			if tt.want == nil && got != adminKey {
				t.Errorf("Resolve(AppRole) = %q, want the stored key", got)
			}
		})
	}
}

func TestResolverAppRoleNeedsBothFiles(t *testing.T) {
	r := NewResolver(VaultConfig{Addr: downAddr(t), RoleIDFile: "x"})
	_, err := r.Resolve(context.Background(), "vault://secret/a#b")
	if err == nil || !strings.Contains(err.Error(), "secret id file") {
		t.Errorf("Resolve(role id file only) = %v, want a missing "+
			"secret id file error", err)
	}
}

// TestResolveEnvironment checks the package-level Resolve, which
// reaches Vault as VAULT_ADDR and VAULT_TOKEN say.
func TestResolveEnvironment(t *testing.T) {
	v := testenv.Vault(t)
	p := v.PutKV(t, "stripe", map[string]any{"key": adminKey})
	t.Setenv("VAULT_ADDR", v.Addr)
	t.Setenv("VAULT_TOKEN", v.Token)

	got, err := Resolve(context.Background(),
		"vault://"+v.KVMount+"/"+p+"#key")
	if err != nil || got != adminKey {
		t.Errorf("Resolve(vault://...) = %q, %v; want the stored key",
			got, err)
	}
}

func TestPing(t *testing.T) {
	v := testenv.Vault(t)
	tests := []struct {
		name, token string
		want        error
	}{
		{"good token", v.Token, nil},
		{"bad token", "hvs.not-a-token", ErrPermission},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("IM_TEST_VAULT_TOKEN", tt.token)
			r := NewResolver(VaultConfig{Addr: v.Addr,
				TokenRef: "env://IM_TEST_VAULT_TOKEN"})
			err := r.Ping(context.Background())
			checkErr(t, "Ping()", err, tt.want, "token lookup", v.Token)
		})
	}
}
