package secrets

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/hashicorp/vault/api"
)

// login returns a new client of r's Vault holding a token: the one
// TokenRef names, or one from an AppRole login.
func (r *Resolver) login(ctx context.Context) (*api.Client, error) {
	cfg := api.DefaultConfig()
	if cfg.Error != nil {
		return nil, fmt.Errorf("vault config: %w", cfg.Error)
	}
	if r.cfg.Addr != "" {
		cfg.Address = r.cfg.Addr
	}
	c, err := api.NewClient(cfg)
	if err != nil {
		return nil, fmt.Errorf("vault client: %w", err)
	}
	// vault/api picks VAULT_TOKEN up by itself; ours comes from
	// TokenRef or AppRole only.
	c.ClearToken()

	if r.cfg.RoleIDFile == "" && r.cfg.SecretIDFile == "" {
		return c, r.useToken(c)
	}
	return c, r.appRoleLogin(ctx, c)
}

func (r *Resolver) useToken(c *api.Client) error {
	ref := r.cfg.TokenRef
	if ref == "" {
		ref = "env://" + api.EnvVaultToken
	}
	tok, err := resolveLocal(ref)
	if err != nil {
		return fmt.Errorf("vault token: %w", err)
	}
	c.SetToken(tok)
	return nil
}

// appRoleLogin logs c in with the role id and secret id in r's files.
// Vault answers a wrong pair with 400, which counts as ErrPermission.
func (r *Resolver) appRoleLogin(ctx context.Context, c *api.Client) error {
	if r.cfg.RoleIDFile == "" || r.cfg.SecretIDFile == "" {
		return errors.New("vault approle login: set both the role id " +
			"file and the secret id file")
	}
	roleID, err := readFile("file://"+r.cfg.RoleIDFile, r.cfg.RoleIDFile)
	if err != nil {
		return fmt.Errorf("vault approle role id: %w", err)
	}
	secretID, err := readFile("file://"+r.cfg.SecretIDFile,
		r.cfg.SecretIDFile)
	if err != nil {
		return fmt.Errorf("vault approle secret id: %w", err)
	}

	mount := r.cfg.AppRoleMount
	if mount == "" {
		mount = "approle"
	}
	s, err := c.Logical().WriteWithContext(ctx, "auth/"+mount+"/login",
		map[string]any{"role_id": roleID, "secret_id": secretID})
	if err != nil {
		return fmt.Errorf("vault approle login: %w", loginError(err))
	}
	if s == nil || s.Auth == nil || s.Auth.ClientToken == "" {
		return errors.New("vault approle login: no token in the answer")
	}
	c.SetToken(s.Auth.ClientToken)
	return nil
}

// loginError is vaultError, but a 400 from a login means the role id
// or secret id was refused.
func loginError(err error) error {
	var re *api.ResponseError
	if errors.As(err, &re) && re.StatusCode == http.StatusBadRequest {
		return responseError(re, ErrPermission)
	}
	return vaultError(err)
}
