package node

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"path/filepath"

	"github.com/infermargin/infermargin/aggregation"
	"github.com/infermargin/infermargin/server"
)

// LocalConfigs creates in dir the keys, shared secrets and
// configurations of a leader and a helper on one machine, for the demo
// and for tests: each node gets its own data directory and SQLite
// store, secrets sit in 0600 files behind file:// references, and the
// configs hold only token hashes. The leader's peer.url is left for
// the caller, who knows where the helper listens. The operator's token
// is in dir/admin.token.
func LocalConfigs(dir string) ([2]*Config, error) {
	var cfgs [2]*Config
	secret := func(name string, n int) (string, string, error) {
		b := make([]byte, n)
		if _, err := rand.Read(b); err != nil {
			return "", "", err
		}
		v := hex.EncodeToString(b)
		path := filepath.Join(dir, name)
		return v, "file://" + path, os.WriteFile(path, []byte(v), 0o600)
	}
	_, verify, err := secret("verify.key", 32)
	if err != nil {
		return cfgs, err
	}
	peerTok, peerRef, err := secret("peer.token", 32)
	if err != nil {
		return cfgs, err
	}
	adminTok, _, err := secret("admin.token", 32)
	if err != nil {
		return cfgs, err
	}
	for _, role := range []aggregation.Role{aggregation.Leader,
		aggregation.Helper} {
		d := filepath.Join(dir, role.String())
		if err := GenerateKeys(d, role); err != nil {
			return cfgs, err
		}
		cfgs[role] = &Config{Role: role.String(), DataDir: d,
			VerifyKey: verify, AdminTokenSHA256: hashHex(adminTok),
			Instance: "demo-" + role.String()}
	}
	leader, helper := cfgs[aggregation.Leader], cfgs[aggregation.Helper]
	leader.Peer = PeerConfig{Token: peerRef,
		StatementKey: filepath.Join(helper.DataDir, StatementPubFile)}
	helper.PeerTokenSHA256 = hashHex(peerTok)
	helper.PublisherKey = filepath.Join(leader.DataDir, PublisherPubFile)
	return cfgs, nil
}

func hashHex(token string) string {
	h := server.HashToken(token)
	return hex.EncodeToString(h[:])
}
