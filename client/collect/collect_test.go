package collect

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// world is the three fakes and two recording aggregators of a run.
type world struct {
	openai, anthropic, stripe, leader, helper *recorder
	cfg                                       *Config
}

// newWorld serves a month, 2026-11, worked out by hand:
//
//	LLM spend: openai 100.25 + 49.75, anthropic 5000 cents = 200
//	(the 50 of 2026-10 counts in P-1 only)
//	AI revenue: 1200 (prod_ai, licensed) + 300 (prod_listed) = 1500
//	total revenue: 1500 + 500 (prod_other) = 2000
//	MRR: 1200, MRR of 2026-10: 1000; paying customers: cus_1, cus_2
//	fees: 60 of charges in 2026-11; AI share 60 x 1500/2000 = 45
func newWorld(t *testing.T) *world {
	w := &world{
		openai: openaiFake(map[string]float64{"2026-10-15": 50,
			"2026-11-03": 100.25, "2026-11-20": 49.75}),
		anthropic: anthropicFake(map[string]string{"2026-11-10": "5000"}),
		stripe: stripeFake(stripeData{
			products: []map[string]any{
				product("prod_ai", map[string]string{"ai": "true"}),
				product("prod_listed", nil),
				product("prod_other", map[string]string{"ai": "no"}),
			},
			invoices: []map[string]any{
				invoice("in_1", "cus_1", "2026-10-01", line("il_1",
					"prod_ai", 100000, "2026-10-01", "2026-11-01", true)),
				invoice("in_2", "cus_1", "2026-11-01", line("il_2",
					"prod_ai", 120000, "2026-11-01", "2026-12-01", true)),
				invoice("in_3", "cus_2", "2026-11-05", line("il_3",
					"prod_listed", 30000, "2026-11-05", "2026-11-06",
					false)),
				invoice("in_4", "cus_3", "2026-11-10", line("il_4",
					"prod_other", 50000, "2026-11-01", "2026-12-01", true)),
			},
			balance: []map[string]any{
				balance("txn_1", "charge", 6000, "2026-11-02"),
				balance("txn_2", "payout", 100, "2026-11-03"),
				balance("txn_3", "charge", 1000, "2026-10-20"),
			},
		}),
		leader: &recorder{}, helper: &recorder{},
	}
	t.Setenv("IM_TEST_OPENAI", openaiKey)
	t.Setenv("IM_TEST_ANTHROPIC", anthropicKey)
	t.Setenv("IM_TEST_STRIPE", stripeKey)
	y := fmt.Sprintf(`
providers:
  openai: {base_url: %s, admin_key: "env://IM_TEST_OPENAI"}
  anthropic: {base_url: %s, admin_key: "env://IM_TEST_ANTHROPIC"}
  stripe:
    base_url: %s
    restricted_key: "env://IM_TEST_STRIPE"
    ai_products: {ids: [prod_listed], metadata: {ai: "true"}}
aggregators: {leader: %s, helper: %s, company: acme, cohort: smb@1}
`, serveFake(t, w.openai), serveFake(t, w.anthropic),
		serveFake(t, w.stripe), serveFake(t, w.leader),
		serveFake(t, w.helper))
	c, err := Load(writeConfig(t, y))
	if err != nil {
		t.Fatal(err)
	}
	w.cfg = c
	return w
}

func f(v float64) *float64 { return &v }

func TestDryRunJSON(t *testing.T) {
	w := newWorld(t)
	var progress bytes.Buffer
	s, st, err := Compute(context.Background(), w.cfg, "2026-11",
		&progress)
	if err != nil {
		t.Fatalf("Compute = %v", err)
	}
	var out bytes.Buffer
	if err := s.WriteJSON(&out); err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"period": "2026-11",
		"methodology": map[string]any{"version": "v1",
			"digest": s.m.Digest()},
		"inputs": map[string]any{
			"llm_spend_usd": 200.0, "ai_revenue_usd": 1500.0,
			"mrr_usd": 1200.0, "mrr_prev_usd": 1000.0,
			"active_paying_customers": 2.0,
			"ai_payment_fees_usd":     45.0, "total_revenue_usd": 2000.0,
		},
		"metrics": map[string]any{
			"llm_cogs_ratio": item(200.0/1500, f(0.1), f(0.15)),
			"contribution_margin_proxy": item(1255.0/1500, f(0.8),
				f(0.85)),
			"inference_cost_per_paying_customer": item(100, f(100),
				f(250)),
			"llm_spend_usd":   item(200, f(100), f(250)),
			"mrr_growth_rate": item(0.2, f(0.2), f(0.3)),
		},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("JSON mismatch (-want +got):\n%s", d)
	}
	checkWindow(t, w)
	if st.Calls["openai"] != 1 || st.Calls["anthropic"] != 1 ||
		st.Calls["stripe"] != 3 {
		t.Errorf("Stats.Calls = %v, want openai 1, anthropic 1, "+
			"stripe 3", st.Calls)
	}
	if n := w.leader.count() + w.helper.count(); n != 0 {
		t.Errorf("dry run sent %d requests to aggregators, want 0", n)
	}
	var text bytes.Buffer
	if err := s.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	for _, o := range []string{out.String(), text.String(),
		progress.String()} {
		noKeys(t, o)
	}
	for _, sub := range []string{"prod_ai", "prod_listed", "1500.00",
		"[0.8, 0.85)"} {
		if !strings.Contains(text.String(), sub) {
			t.Errorf("text summary lacks %q:\n%s", sub, text.String())
		}
	}
}

func item(v float64, lo, hi *float64) map[string]any {
	var l, h any
	if lo != nil {
		l = *lo
	}
	if hi != nil {
		h = *hi
	}
	return map[string]any{"value": v,
		"bucket": map[string]any{"lo": l, "hi": h}}
}

// checkWindow checks the ranges asked of each provider.
func checkWindow(t *testing.T, w *world) {
	t.Helper()
	oct := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	dec := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	since := oct.AddDate(0, -13, 0)
	for _, tt := range []struct {
		name, got, want string
	}{
		{"openai start", w.openai.queries["/v1/organization/costs"].
			Get("start_time"), fmt.Sprint(oct.Unix())},
		{"openai end", w.openai.queries["/v1/organization/costs"].
			Get("end_time"), fmt.Sprint(dec.Unix())},
		{"anthropic start", w.anthropic.
			queries["/v1/organizations/cost_report"].Get("starting_at"),
			oct.Format(time.RFC3339)},
		{"stripe invoices since", w.stripe.queries["/v1/invoices"].
			Get("created[gte]"), fmt.Sprint(since.Unix())},
		{"stripe invoices until", w.stripe.queries["/v1/invoices"].
			Get("created[lt]"), fmt.Sprint(dec.Unix())},
	} {
		if tt.got != tt.want {
			t.Errorf("%s = %q, want %q", tt.name, tt.got, tt.want)
		}
	}
}

func noKeys(t *testing.T, s string) {
	t.Helper()
	for _, k := range []string{openaiKey, anthropicKey, stripeKey,
		"TESTKEY"} {
		if strings.Contains(s, k) {
			t.Errorf("output holds a key:\n%s", s)
		}
	}
}

func TestBadKeyNeverShown(t *testing.T) {
	w := newWorld(t)
	t.Setenv("IM_TEST_STRIPE", "sk_live_TESTKEYsecretsecret")
	w.cfg.Providers.OpenAI, w.cfg.Providers.Anthropic = nil, nil
	var progress bytes.Buffer
	_, _, err := Compute(context.Background(), w.cfg, "2026-11",
		&progress)
	if err == nil {
		t.Fatal("Compute with a secret key = nil, want an error")
	}
	noKeys(t, err.Error())
	noKeys(t, progress.String())
	if n := w.stripe.count(); n != 0 {
		t.Errorf("stripe got %d requests with a full key, want 0", n)
	}
}

func TestBucketJSONNA(t *testing.T) {
	s := &Summary{Metrics: map[string]Item{"x": {}}}
	s.Metrics["x"] = Item{Bucket: Bucket{Index: 3}}
	b, _ := json.Marshal(s.Metrics["x"])
	if got := string(b); got != `{"value":null,"bucket":{"lo":null,"hi":null}}` {
		t.Errorf("open bucket = %s", got)
	}
	it := s.Metrics["x"]
	it.Bucket.Range.NA = true
	b, _ = json.Marshal(it)
	if got := string(b); got != `{"value":null,"bucket":"n/a"}` {
		t.Errorf("n/a bucket = %s", got)
	}
}
