package vaultsim

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// kvEntry is one KV version 2 secret; versions[i] is version i+1.
type kvEntry struct {
	versions []kvVersion
}

type kvVersion struct {
	data    map[string]json.RawMessage
	created string
}

// metadata is a version's metadata as reads and writes return it.
func (v kvVersion) metadata(n int) map[string]any {
	return map[string]any{
		"created_time":    v.created,
		"custom_metadata": nil,
		"deletion_time":   "",
		"destroyed":       false,
		"version":         n,
	}
}

// routeKV routes :mount/data/:path and :mount/metadata/:path on a
// mounted KV version 2 engine.
func (s *Server) routeKV(seg []string) (handler, string) {
	if len(seg) < 3 || slices.Contains(seg, "") {
		return nil, ""
	}
	m, ok := s.kv[seg[0]]
	if !ok {
		return nil, ""
	}
	p := strings.Join(seg[2:], "/")
	switch seg[1] {
	case "data":
		return func(r *http.Request) (*envelope, error) {
			if r.Method == http.MethodGet {
				return readKV(m, p, r)
			}
			return writeKV(m, p, r)
		}, "GET POST"
	case "metadata":
		return func(*http.Request) (*envelope, error) {
			delete(m, p)
			return nil, nil
		}, "DELETE"
	}
	return nil, ""
}

// readKV answers GET :mount/data/:path[?version=N]. Version 0 or none
// is the latest; a secret or version that does not exist is 404 with
// an empty error list.
func readKV(
	m map[string]*kvEntry, p string, r *http.Request,
) (*envelope, error) {
	n := 0
	if q := r.URL.Query().Get("version"); q != "" {
		var err error
		if n, err = strconv.Atoi(q); err != nil || n < 0 {
			return nil, badRequest("error converting input %q for "+
				"field \"version\"", q)
		}
	}
	e, ok := m[p]
	if !ok {
		return nil, errNotFound
	}
	if n == 0 {
		n = len(e.versions)
	}
	if n > len(e.versions) {
		return nil, errNotFound
	}

	v := e.versions[n-1]
	return &envelope{Data: map[string]any{
		"data":     v.data,
		"metadata": v.metadata(n),
	}, MountType: "kv"}, nil
}

// writeKV answers POST :mount/data/:path with body
// {"data": {...}, "options": {"cas": N}}; it returns the new
// version's metadata.
func writeKV(
	m map[string]*kvEntry, p string, r *http.Request,
) (*envelope, error) {
	var b struct {
		Data    map[string]json.RawMessage `json:"data"`
		Options struct {
			CAS *int `json:"cas"`
		} `json:"options"`
	}
	if err := decode(r, &b); err != nil {
		return nil, err
	}
	if b.Data == nil {
		return nil, badRequest("no data provided")
	}
	e, ok := m[p]
	if !ok {
		e = &kvEntry{}
	}
	if cas := b.Options.CAS; cas != nil && *cas != len(e.versions) {
		return nil, badRequest("check-and-set parameter did not match " +
			"the current version")
	}

	v := kvVersion{data: b.Data, created: now()}
	e.versions = append(e.versions, v)
	m[p] = e
	return &envelope{Data: v.metadata(len(e.versions)),
		MountType: "kv"}, nil
}
