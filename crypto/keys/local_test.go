package keys

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tink-crypto/tink-go/v2/insecurecleartextkeyset"
	"github.com/tink-crypto/tink-go/v2/keyset"
)

func newLocalKEK(t *testing.T) (string, KEK) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "kek.json")
	if err := GenerateLocalKEK(path); err != nil {
		t.Fatalf("GenerateLocalKEK() error: %v", err)
	}
	kek, err := LoadLocalKEK(path)
	if err != nil {
		t.Fatalf("LoadLocalKEK() error: %v", err)
	}
	return path, kek
}

func TestLocalKEK(t *testing.T) {
	path, kek := newLocalKEK(t)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != 0o600 {
		t.Errorf("GenerateLocalKEK() mode = %04o, want 0600", got)
	}

	h := newPrivate(t)
	ad := []byte("infermargin/sign/company")
	var buf bytes.Buffer
	if err := WriteEncrypted(&buf, h, kek, ad); err != nil {
		t.Fatalf("WriteEncrypted() error: %v", err)
	}
	again, err := LoadLocalKEK(path)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ReadEncrypted(&buf, again, ad)
	if err != nil {
		t.Fatalf("ReadEncrypted() with reloaded KEK error: %v", err)
	}
	if diff := cmp.Diff(publicJSON(t, h), publicJSON(t, got)); diff != "" {
		t.Errorf("reloaded keyset differs (-want +got):\n%s", diff)
	}
}

func TestGenerateLocalKEKRefusesOverwrite(t *testing.T) {
	path, _ := newLocalKEK(t)
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := GenerateLocalKEK(path); err == nil {
		t.Errorf("GenerateLocalKEK(existing) succeeded, want error")
	}
	after, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before, after) {
		t.Errorf("GenerateLocalKEK(existing) changed the file")
	}
}

func TestLoadLocalKEKRefusesLooseMode(t *testing.T) {
	for _, mode := range []os.FileMode{0o640, 0o604, 0o620, 0o644} {
		t.Run(fmt.Sprintf("%04o", mode), func(t *testing.T) {
			path, _ := newLocalKEK(t)
			if err := os.Chmod(path, mode); err != nil {
				t.Fatal(err)
			}
			_, err := LoadLocalKEK(path)
			if !errors.Is(err, ErrFileMode) {
				t.Fatalf("LoadLocalKEK() error = %v, want ErrFileMode",
					err)
			}
			octal := fmt.Sprintf("%04o", mode)
			for _, want := range []string{path, octal} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not name %q", err, want)
				}
			}
		})
	}
}

func TestLoadLocalKEKRefuses(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	var hybridJSON bytes.Buffer
	w := keyset.NewJSONWriter(&hybridJSON)
	if err := insecurecleartextkeyset.Write(newPrivate(t), w); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name string
		path string
	}{
		{"missing", filepath.Join(dir, "missing.json")},
		{"directory", dir},
		{"not json", write("garbage.json", []byte("not a keyset"))},
		{"not an aead", write("hybrid.json", hybridJSON.Bytes())},
		{"too large", write("big.json", make([]byte, MaxKeysetSize+1))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := LoadLocalKEK(tt.path); err == nil {
				t.Errorf("LoadLocalKEK(%s) succeeded", tt.name)
			}
		})
	}
}

func TestLocalKEKRedacted(t *testing.T) {
	path, kek := newLocalKEK(t)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	h, err := insecurecleartextkeyset.Read(
		keyset.NewJSONReader(bytes.NewReader(data)))
	if err != nil {
		t.Fatal(err)
	}
	value := insecurecleartextkeyset.KeysetMaterial(h).
		GetKey()[0].GetKeyData().GetValue()

	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		got := fmt.Sprintf(verb, kek)
		if got != "keys.LocalKEK(redacted)" {
			t.Errorf("Sprintf(%q, kek) = %q, want redacted", verb, got)
		}
		if strings.Contains(got, fmt.Sprintf("%x", value)) {
			t.Errorf("Sprintf(%q, kek) reveals the key", verb)
		}
	}
}
