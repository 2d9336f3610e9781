package server

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"regexp"
	"slices"
	"time"

	"github.com/infermargin/infermargin/server/store"
)

var accountRE = regexp.MustCompile(`^[a-z][a-z0-9_.-]{0,62}$`)

// CheckAccountName reports whether name has the form of an account
// name. The bootstrap account's name has it.
func CheckAccountName(name string) error {
	if !accountRE.MatchString(name) {
		return fmt.Errorf("account name %q: want a lowercase letter, "+
			"then letters, digits, '.', '_' or '-', at most 63", clip(name))
	}
	return nil
}

// CheckAccount reports whether name can name a new account and roles
// are known roles, at least one, none twice.
func CheckAccount(name string, roles []string) error {
	if err := CheckAccountName(name); err != nil {
		return err
	}
	if name == BootstrapAccount {
		return fmt.Errorf("account name %q: reserved for the node "+
			"configuration's token", name)
	}
	if len(roles) == 0 {
		return fmt.Errorf("account %q: roles: name at least one of %q",
			name, Roles)
	}
	for i, r := range roles {
		if !slices.Contains(Roles, r) {
			return fmt.Errorf("account %q: role %q: want one of %q", name,
				clip(r), Roles)
		}
		if slices.Contains(roles[:i], r) {
			return fmt.Errorf("account %q: role %q named twice", name, r)
		}
	}
	return nil
}

// NewAccount makes an account with a fresh random token, returned once:
// the account keeps only its hash.
func NewAccount(name string, roles []string, now time.Time) (string,
	*store.Account, error) {
	if err := CheckAccount(name, roles); err != nil {
		return "", nil, err
	}
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", nil, err
	}
	token := "imop_" + base64.RawURLEncoding.EncodeToString(b[:])
	acct := &store.Account{Name: name, TokenHash: HashToken(token),
		Roles: slices.Clone(roles), CreatedAt: now.UTC()}
	return token, acct, nil
}

func containsRole(roles []string, r string) bool {
	return slices.Contains(roles, r)
}
