package server

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/infermargin/infermargin/aggregation"
	"github.com/infermargin/infermargin/methodology"
	"github.com/infermargin/infermargin/server/api"
)

// object is a JSON object of the parsed document.
type object = map[string]any

// obj returns v as an object, or nil when it is none, so that a walk
// over a wrong document fails on a missing key rather than panicking.
func obj(v any) object {
	o, _ := v.(object)
	return o
}

func loadOpenAPI(t *testing.T) object {
	t.Helper()
	var doc object
	if err := json.Unmarshal(openAPI, &doc); err != nil {
		t.Fatalf("openapi.json does not parse: %v", err)
	}
	return doc
}

// routeServer is a leader with just enough configuration to build and
// serve its routes; the leader registers every route the helper does.
func routeServer() *Server {
	s := &Server{role: aggregation.Leader,
		cfg: Config{Logger: slog.New(slog.DiscardHandler)},
		m:   newMetrics(prometheus.NewRegistry())}
	s.e = s.routes()
	return s
}

var echoParam = regexp.MustCompile(`:([A-Za-z_][A-Za-z0-9_]*)`)

// registered is every route of routes() as "METHOD /path/{param}". It
// leaves out the catch-all routes Echo adds for a group's middleware.
func registered() map[string]bool {
	out := map[string]bool{}
	for _, r := range routeServer().e.Routes() {
		if r.Method == echo.RouteNotFound {
			continue
		}
		out[r.Method+" "+echoParam.ReplaceAllString(r.Path, "{$1}")] = true
	}
	return out
}

// operations maps "METHOD /path" to each operation of the document.
func operations(doc object) map[string]object {
	out := map[string]object{}
	for path, item := range obj(doc["paths"]) {
		for method, op := range obj(item) {
			switch method {
			case "get", "put", "post", "delete", "patch", "head",
				"options", "trace":
				out[strings.ToUpper(method)+" "+path] = obj(op)
			}
		}
	}
	return out
}

func TestOpenAPIRoutes(t *testing.T) {
	doc := loadOpenAPI(t)
	routes, ops := registered(), operations(doc)
	for _, r := range sortedKeys(routes) {
		if ops[r] == nil {
			t.Errorf("route %s is not in openapi.json", r)
		}
	}
	for _, op := range sortedKeys(ops) {
		if !routes[op] {
			t.Errorf("openapi.json documents %s, which routes() does "+
				"not register", op)
		}
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func TestOpenAPIDocument(t *testing.T) {
	doc := loadOpenAPI(t)
	if v := doc["openapi"]; v != "3.1.0" {
		t.Errorf("openapi.json openapi = %v, want 3.1.0", v)
	}
	walkRefs(doc, "#", func(at, ref string) {
		if !strings.HasPrefix(ref, "#/components/") ||
			pointer(doc, ref) == nil {
			t.Errorf("%s: $ref %q resolves to no component", at, ref)
		}
	})
	checkPathParams(t, doc)
}

// walkRefs calls f with the location and target of every $ref in v.
func walkRefs(v any, at string, f func(at, ref string)) {
	switch v := v.(type) {
	case object:
		if ref, ok := v["$ref"].(string); ok {
			f(at, ref)
		}
		for k, x := range v {
			walkRefs(x, at+"/"+k, f)
		}
	case []any:
		for i, x := range v {
			walkRefs(x, at+"/"+strconv.Itoa(i), f)
		}
	}
}

// pointer resolves a local JSON pointer such as
// "#/components/schemas/Upload", or returns nil.
func pointer(doc object, ref string) object {
	cur := doc
	for _, p := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
		p = strings.NewReplacer("~1", "/", "~0", "~").Replace(p)
		if cur = obj(cur[p]); cur == nil {
			return nil
		}
	}
	return cur
}

// resolve follows o's $ref, if it has one.
func resolve(doc, o object) object {
	if ref, ok := o["$ref"].(string); ok {
		return pointer(doc, ref)
	}
	return o
}

var pathParam = regexp.MustCompile(`\{([^}]+)\}`)

// checkPathParams checks that each operation declares exactly the
// parameters its path template names, so no path is half described.
func checkPathParams(t *testing.T, doc object) {
	t.Helper()
	for path, item := range obj(doc["paths"]) {
		var want []string
		for _, m := range pathParam.FindAllStringSubmatch(path, -1) {
			want = append(want, m[1])
		}
		common := inPath(doc, obj(item)["parameters"])
		for method, op := range obj(item) {
			if method == "parameters" {
				continue
			}
			got := sorted(append(inPath(doc, obj(op)["parameters"]),
				common...))
			if !slices.Equal(got, sorted(want)) {
				t.Errorf("%s %s: path parameters %v, want %v",
					strings.ToUpper(method), path, got, want)
			}
		}
	}
}

// inPath returns the names of the path parameters in a parameter list.
func inPath(doc object, params any) []string {
	var out []string
	list, _ := params.([]any)
	for _, p := range list {
		if p := resolve(doc, obj(p)); p["in"] == "path" {
			out = append(out, p["name"].(string))
		}
	}
	return out
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

// openAPIBodies is every JSON body type the routes send or accept, by
// its schema name in openapi.json.
var openAPIBodies = map[string]any{
	"Batch":               api.Batch{},
	"Upload":              api.Upload{},
	"Receipt":             api.Receipt{},
	"Report":              api.Report{},
	"ReportMethodology":   api.Methodology{},
	"ReportMetric":        api.ReportMetric{},
	"BucketRange":         api.BucketRange{},
	"Statements":          api.Statements{},
	"Summary":             api.Summary{},
	"Reports":             api.Reports{},
	"Error":               api.Error{},
	"JobRequest":          api.JobRequest{},
	"PrepInit":            api.PrepInit{},
	"JobResponse":         api.JobResponse{},
	"PrepResult":          api.PrepResult{},
	"ShareRequest":        api.ShareRequest{},
	"Release":             api.Release{},
	"Collection":          api.Collection{},
	"OpenRequest":         api.OpenRequest{},
	"JobStats":            JobStats{},
	"Methodology":         methodologyBody{},
	"EnrollmentRequest":   api.EnrollmentRequest{},
	"Enrollment":          api.Enrollment{},
	"Enrollments":         api.Enrollments{},
	"Decision":            api.Decision{},
	"Decided":             api.Decided{},
	"Cohort":              api.Cohort{},
	"Cohorts":             api.Cohorts{},
	"CohortDefinition":    api.CohortDefinition{},
	"ReassignmentRequest": api.ReassignmentRequest{},
	"Reassignment":        api.Reassignment{},
	"Reassignments":       api.Reassignments{},
	"AccountRequest":      api.AccountRequest{},
	"Account":             api.Account{},
	"Accounts":            api.Accounts{},
	"AuditEntry":          api.AuditEntry{},
	"Audit":               api.Audit{},
	"Answers":             methodology.Answers{},
	"Criteria":            methodology.Criteria{},
}

func TestOpenAPISchemas(t *testing.T) {
	schemas := obj(obj(loadOpenAPI(t)["components"])["schemas"])
	for _, name := range sortedKeys(openAPIBodies) {
		s := obj(schemas[name])
		if s == nil {
			t.Errorf("schema %s is not in openapi.json", name)
			continue
		}
		got := sortedKeys(obj(s["properties"]))
		want := jsonNames(reflect.TypeOf(openAPIBodies[name]))
		if !slices.Equal(got, want) {
			t.Errorf("schema %s has properties %v; its struct has %v",
				name, got, want)
		}
		required, _ := s["required"].([]any)
		for _, r := range required {
			if !slices.Contains(got, r.(string)) {
				t.Errorf("schema %s requires %v, not a property",
					name, r)
			}
		}
	}
}

// jsonNames returns the sorted JSON names of a struct's fields.
func jsonNames(t reflect.Type) []string {
	var out []string
	for f := range t.Fields() {
		tag := f.Tag.Get("json")
		if !f.IsExported() || tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if name == "" {
			name = f.Name
		}
		out = append(out, name)
	}
	return sorted(out)
}

// statusOfCode is the status handleError answers a code with. The two
// codes outside statusOf are answered by handleError and readyz.
func statusOfCode(code string) int {
	switch code {
	case codeInternal:
		return http.StatusInternalServerError
	case "not_ready":
		return http.StatusServiceUnavailable
	}
	return statusOf[code]
}

// TestOpenAPIErrorCodes checks that every error answer documented lists
// its codes, each with the status the server answers it with.
func TestOpenAPIErrorCodes(t *testing.T) {
	doc := loadOpenAPI(t)
	ops := operations(doc)
	for _, op := range sortedKeys(ops) {
		responses := obj(ops[op]["responses"])
		for _, status := range sortedKeys(responses) {
			n, err := strconv.Atoi(status)
			if err != nil || n < 400 {
				continue
			}
			codes := errorCodes(doc, obj(responses[status]))
			if len(codes) == 0 {
				t.Errorf("%s: %s answer names no error code", op, status)
			}
			for _, code := range codes {
				if got := statusOfCode(code); got != n {
					t.Errorf("%s: code %s documented as %d, answered "+
						"with %d", op, code, n, got)
				}
			}
		}
	}
}

// errorCodes returns the codes an error response lists in its schema:
// the Error schema with error.code narrowed to an enum.
func errorCodes(doc, resp object) []string {
	media := obj(obj(resolve(doc, resp)["content"])["application/json"])
	schema := obj(media["schema"])
	if schema["$ref"] != "#/components/schemas/Error" {
		return nil
	}
	e := obj(obj(schema["properties"])["error"])
	code := obj(obj(e["properties"])["code"])
	enum, _ := code["enum"].([]any)
	var out []string
	for _, c := range enum {
		s, _ := c.(string)
		out = append(out, s)
	}
	return out
}

func TestOpenAPIServed(t *testing.T) {
	s := routeServer()
	w := httptest.NewRecorder()
	s.ServeHTTP(w, httptest.NewRequest(http.MethodGet,
		"/v1/openapi.json", nil))
	ct := w.Header().Get(echo.HeaderContentType)
	if w.Code != http.StatusOK || ct != echo.MIMEApplicationJSON {
		t.Errorf("GET /v1/openapi.json = %d %q, want 200 %q", w.Code, ct,
			echo.MIMEApplicationJSON)
	}
	if w.Body.String() != string(openAPI) {
		t.Error("GET /v1/openapi.json is not the embedded document")
	}
}
