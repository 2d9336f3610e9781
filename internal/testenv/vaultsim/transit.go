package vaultsim

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"time"
)

// transitKey is an aes256-gcm96 key, Transit's default type, with a
// single version: the simulator does not rotate.
type transitKey struct {
	name            string
	aead            cipher.AEAD
	created         time.Time
	deletionAllowed bool
}

func newTransitKey(name string) *transitKey {
	k := make([]byte, 32)
	_, _ = rand.Read(k)
	b, _ := aes.NewCipher(k)
	g, _ := cipher.NewGCM(b)
	return &transitKey{name: name, aead: g, created: time.Now()}
}

// info is the key as Transit's read endpoint describes it.
func (k *transitKey) info() *envelope {
	return &envelope{Data: map[string]any{
		"name":                   k.name,
		"type":                   "aes256-gcm96",
		"latest_version":         1,
		"min_decryption_version": 1,
		"min_encryption_version": 0,
		"keys":                   map[string]int64{"1": k.created.Unix()},
		"deletion_allowed":       k.deletionAllowed,
		"derived":                false,
		"exportable":             false,
		"allow_plaintext_backup": false,
		"auto_rotate_period":     0,
		"imported_key":           false,
		"supports_encryption":    true,
		"supports_decryption":    true,
		"supports_derivation":    true,
		"supports_signing":       false,
	}, MountType: "transit"}
}

// routeTransit routes the paths under transit/.
func (s *Server) routeTransit(seg []string) (handler, string) {
	if len(seg) < 2 || seg[1] == "" {
		return nil, ""
	}
	name := seg[1]
	switch {
	case len(seg) == 2 && seg[0] == "keys":
		return func(r *http.Request) (*envelope, error) {
			switch r.Method {
			case http.MethodGet:
				return s.readKey(name)
			case http.MethodDelete:
				return s.deleteKey(name)
			}
			return s.createKey(r, name)
		}, "GET POST DELETE"
	case len(seg) == 3 && seg[0] == "keys" && seg[2] == "config":
		return func(r *http.Request) (*envelope, error) {
			return s.configKey(r, name)
		}, "POST"
	case len(seg) == 2 && seg[0] == "encrypt":
		return func(r *http.Request) (*envelope, error) {
			return s.encrypt(r, name)
		}, "POST"
	case len(seg) == 2 && seg[0] == "decrypt":
		return func(r *http.Request) (*envelope, error) {
			return s.decrypt(r, name)
		}, "POST"
	}
	return nil, ""
}

// createKey answers POST transit/keys/:name. Creating a key that
// exists changes nothing.
func (s *Server) createKey(r *http.Request, name string) (*envelope, error) {
	var b struct {
		Type string `json:"type"`
	}
	if err := decode(r, &b); err != nil {
		return nil, err
	}
	if b.Type != "" && b.Type != "aes256-gcm96" {
		return nil, badRequest("vaultsim: key type %q not supported",
			b.Type)
	}
	k, ok := s.transit[name]
	if !ok {
		k = newTransitKey(name)
		s.transit[name] = k
	}
	return k.info(), nil
}

// readKey answers GET transit/keys/:name.
func (s *Server) readKey(name string) (*envelope, error) {
	k, ok := s.transit[name]
	if !ok {
		return nil, errNotFound
	}
	return k.info(), nil
}

// configKey answers POST transit/keys/:name/config; only
// deletion_allowed is kept.
func (s *Server) configKey(r *http.Request, name string) (*envelope, error) {
	var b struct {
		DeletionAllowed *bool `json:"deletion_allowed"`
	}
	if err := decode(r, &b); err != nil {
		return nil, err
	}
	k, ok := s.transit[name]
	if !ok {
		return nil, badRequest("no existing key named %s could be found",
			name)
	}
	if b.DeletionAllowed != nil {
		k.deletionAllowed = *b.DeletionAllowed
	}
	return k.info(), nil
}

// deleteKey answers DELETE transit/keys/:name, which Vault refuses
// until the key's config allows deletion.
func (s *Server) deleteKey(name string) (*envelope, error) {
	k, ok := s.transit[name]
	if ok && !k.deletionAllowed {
		return nil, badRequest("deletion is not allowed for this key")
	}
	delete(s.transit, name)
	return nil, nil
}

// cryptBody holds the parameters of encrypt and decrypt. Those the
// simulator does not implement are decoded only to be refused.
type cryptBody struct {
	Plaintext      *string         `json:"plaintext"`
	Ciphertext     string          `json:"ciphertext"`
	AssociatedData string          `json:"associated_data"`
	Context        string          `json:"context"`
	Nonce          string          `json:"nonce"`
	KeyVersion     int             `json:"key_version"`
	BatchInput     json.RawMessage `json:"batch_input"`
}

func readCrypt(r *http.Request) (*cryptBody, []byte, error) {
	var b cryptBody
	if err := decode(r, &b); err != nil {
		return nil, nil, err
	}
	if b.Context != "" || b.Nonce != "" || b.BatchInput != nil ||
		b.KeyVersion > 1 {
		return nil, nil, badRequest("vaultsim: context, nonce, " +
			"batch_input and key_version are not supported")
	}
	ad, err := base64.StdEncoding.DecodeString(b.AssociatedData)
	if err != nil {
		return nil, nil, badRequest("failed to base64-decode " +
			"associated_data")
	}
	return &b, ad, nil
}

// encrypt answers POST transit/encrypt/:name. As in Vault, a key that
// does not exist is created (the "upsert" a create capability allows).
func (s *Server) encrypt(r *http.Request, name string) (*envelope, error) {
	b, ad, err := readCrypt(r)
	if err != nil {
		return nil, err
	}
	if b.Plaintext == nil {
		return nil, badRequest("missing plaintext to encrypt")
	}
	pt, err := base64.StdEncoding.DecodeString(*b.Plaintext)
	if err != nil {
		return nil, badRequest("failed to base64-decode plaintext")
	}
	k, ok := s.transit[name]
	if !ok {
		k = newTransitKey(name)
		s.transit[name] = k
	}

	nonce := make([]byte, k.aead.NonceSize())
	_, _ = rand.Read(nonce)
	ct := k.aead.Seal(nonce, nonce, pt, ad)
	return &envelope{Data: map[string]any{
		"ciphertext":  "vault:v1:" + base64.StdEncoding.EncodeToString(ct),
		"key_version": 1,
	}, MountType: "transit"}, nil
}

// decrypt answers POST transit/decrypt/:name.
func (s *Server) decrypt(r *http.Request, name string) (*envelope, error) {
	b, ad, err := readCrypt(r)
	if err != nil {
		return nil, err
	}
	if b.Ciphertext == "" {
		return nil, badRequest("missing ciphertext to decrypt")
	}
	k, ok := s.transit[name]
	if !ok {
		return nil, badRequest("encryption key not found")
	}
	ct, err := parseCiphertext(b.Ciphertext)
	if err != nil {
		return nil, err
	}

	n := k.aead.NonceSize()
	pt, err := k.aead.Open(nil, ct[:n], ct[n:], ad)
	if err != nil {
		return nil, badRequest("cipher: message authentication failed")
	}
	return &envelope{Data: map[string]any{
		"plaintext": base64.StdEncoding.EncodeToString(pt),
	}, MountType: "transit"}, nil
}

// parseCiphertext takes "vault:v1:" and base64 of nonce, sealed text
// and tag apart.
func parseCiphertext(s string) ([]byte, error) {
	rest, ok := strings.CutPrefix(s, "vault:")
	if !ok {
		return nil, badRequest("invalid ciphertext: no prefix")
	}
	ver, enc, ok := strings.Cut(rest, ":")
	if !ok || !strings.HasPrefix(ver, "v") {
		return nil, badRequest("invalid ciphertext: wrong number of " +
			"fields")
	}
	if ver != "v1" {
		return nil, badRequest("invalid key version")
	}
	ct, err := base64.StdEncoding.DecodeString(enc)
	if err != nil {
		return nil, badRequest("invalid ciphertext: could not decode " +
			"base64")
	}
	if len(ct) < 12+16 {
		return nil, badRequest("invalid ciphertext: size is too small")
	}
	return ct, nil
}
