package postgres

import (
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/infermargin/infermargin/internal/testenv"
)

// The test role may create databases but not roles, so no test can
// connect as a superuser or a BYPASSRLS role: these tests check the
// decision on what pg_roles says, and that the store reads pg_roles
// for the role it really runs as.

func TestRoleCheck(t *testing.T) {
	tests := []struct {
		r    role
		want string // in the error; "" for none
	}{
		{role{name: "svc"}, ""},
		{role{name: "postgres", superuser: true}, `"postgres" is a superuser`},
		{role{name: "svc", bypassRLS: true}, `"svc" has BYPASSRLS`},
		{role{name: "root", superuser: true, bypassRLS: true},
			`"root" is a superuser`},
	}
	for _, tc := range tests {
		err := tc.r.check()
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%+v.check() = %v, want nil", tc.r, err)
		case tc.want == "":
		case !errors.Is(err, ErrRoleBypassesRLS):
			t.Errorf("%+v.check() = %v, want %v", tc.r, err,
				ErrRoleBypassesRLS)
		case !strings.Contains(err.Error(), tc.want) ||
			!strings.Contains(err.Error(), "row-level security"):
			t.Errorf("%+v.check() = %q, want it to say %q and why", tc.r,
				err, tc.want)
		}
	}
}

func TestCurrentRole(t *testing.T) {
	dsn := testenv.Postgres(t)
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	pool, err := pgxpool.New(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()

	got, err := currentRole(t.Context(), pool)
	want := role{name: u.User.Username()}
	if err != nil || got != want {
		t.Errorf("currentRole() = %+v, %v, want %+v, nil", got, err, want)
	}
}
