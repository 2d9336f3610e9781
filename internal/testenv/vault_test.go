package testenv

import (
	"context"
	"testing"
)

// TestVaultCleanup checks that what a test's helpers write is gone
// once the test ends, so a real Vault keeps no leftovers.
func TestVaultCleanup(t *testing.T) {
	v := Vault(t)
	var path, key string
	t.Run("write", func(t *testing.T) {
		path = v.PutKV(t, "x", map[string]any{"f": "v"})
		key = v.TransitKey(t)
		s, err := v.Client(t).KVv2(v.KVMount).Get(context.Background(),
			path)
		if err != nil || s.Data["f"] != "v" {
			t.Fatalf("Get(%s) = %v, %v; want f=v", path, s, err)
		}
	})

	c := v.Client(t)
	if _, err := c.KVv2(v.KVMount).Get(context.Background(), path); err == nil {
		t.Errorf("Get(%s) after the test succeeded, want not found", path)
	}
	s, err := c.Logical().Read("transit/keys/" + key)
	if err != nil || s != nil {
		t.Errorf("read transit/keys/%s after the test = %v, %v; "+
			"want nothing", key, s, err)
	}
}
