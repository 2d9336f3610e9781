package storetest

import (
	"crypto/sha256"
	"fmt"
	"testing"
	"time"

	"github.com/infermargin/infermargin/aggregation"
	"github.com/infermargin/infermargin/server/store"
)

type nodeStore = store.Store

var companyTests = []test[nodeStore]{
	{"ApprovedOnly", func(t *testing.T, s nodeStore) {
		acme := submit(t, s, "acme", support, t0)
		globex := submit(t, s, "globex", coding, t0)
		initech := submit(t, s, "initech", coding, t0)
		for _, e := range []*store.Enrollment{acme, globex, initech} {
			wantNoCompany(t, s, e.Company)
		}
		decide(t, s, true, t1, "acme", "globex")
		decide(t, s, false, t1, "initech")
		wantCompany(t, s, &store.Company{ID: "acme", Key: acme.Key,
			EnrolledAt: t1})
		wantCompany(t, s, &store.Company{ID: "globex", Key: globex.Key,
			EnrolledAt: t1})
		wantNoCompany(t, s, "initech")
	}},
	{"Unknown", func(t *testing.T, s nodeStore) {
		Enroll(t, s, "acme", randBytes(t, 32), support)
		wantNoCompany(t, s, "globex")
	}},
}

func wantCompany(t *testing.T, s nodeStore, want *store.Company) {
	t.Helper()
	got, err := s.Company(ctx(t), want.ID)
	wantValue(t, fmt.Sprintf("Company(%s)", want.ID), got, err, want)
}

func wantNoCompany(t *testing.T, s nodeStore, id string) {
	t.Helper()
	_, err := s.Company(ctx(t), id)
	checkErr(t, fmt.Sprintf("Company(%s)", id), err,
		aggregation.ErrUnknownCompany)
}

var receiptTests = []test[nodeStore]{
	{"PutThenGet", func(t *testing.T, s nodeStore) {
		a := newReceipt(t, aggregation.Leader)
		b := newReceipt(t, aggregation.Helper)
		putReceipt(t, s, a)
		putReceipt(t, s, b)
		wantReceipt(t, s, a)
		wantReceipt(t, s, b)
	}},
	{"Replace", func(t *testing.T, s nodeStore) {
		old := newReceipt(t, aggregation.Leader)
		other := newReceipt(t, aggregation.Leader)
		putReceipt(t, s, old)
		putReceipt(t, s, other)
		fresh := *old
		fresh.Time = old.Time + 60
		fresh.Signature = randBytes(t, 64)
		putReceipt(t, s, &fresh)
		wantReceipt(t, s, &fresh)
		wantReceipt(t, s, other)
	}},
	{"Missing", func(t *testing.T, s nodeStore) {
		putReceipt(t, s, newReceipt(t, aggregation.Leader))
		id := newReport(t, batchA, "acme").ID
		_, err := s.Receipt(ctx(t), "acme", id)
		checkErr(t, "Receipt(missing)", err, store.ErrReceiptMissing)
	}},
	{"OtherCompany", func(t *testing.T, s nodeStore) {
		r := newReceipt(t, aggregation.Leader)
		putReceipt(t, s, r)
		_, err := s.Receipt(ctx(t), "globex", r.Report)
		checkErr(t, "Receipt(globex, acme's)", err, store.ErrReceiptMissing)
	}},
	{"OtherCompanyKeepsOut", func(t *testing.T, s nodeStore) {
		r := newReceipt(t, aggregation.Leader)
		putReceipt(t, s, r)
		theirs := *r
		theirs.Company = "globex"
		theirs.Signature = randBytes(t, 64)
		err := s.PutReceipt(ctx(t), &theirs)
		if err == nil {
			t.Error("PutReceipt(globex, acme's report) = nil, want an error")
		}
		wantReceipt(t, s, r)
		_, err = s.Receipt(ctx(t), "globex", r.Report)
		checkErr(t, "Receipt(globex, acme's)", err, store.ErrReceiptMissing)
	}},
}

func newReceipt(t *testing.T, role aggregation.Role) *aggregation.Receipt {
	t.Helper()
	r := newReport(t, batchA, "acme")
	return &aggregation.Receipt{Report: r.ID, Batch: r.Batch,
		Company: r.Company, Role: role, Time: t0.Unix(),
		ReportHash: sha256.Sum256(randBytes(t, 8)), KeyID: "key-1",
		Signature: randBytes(t, 64)}
}

func putReceipt(t *testing.T, s nodeStore, r *aggregation.Receipt) {
	t.Helper()
	err := s.PutReceipt(ctx(t), r)
	checkErr(t, fmt.Sprintf("PutReceipt(%s)", r.Report), err, nil)
}

func wantReceipt(t *testing.T, s nodeStore, want *aggregation.Receipt) {
	t.Helper()
	got, err := s.Receipt(ctx(t), want.Company, want.Report)
	wantValue(t, fmt.Sprintf("Receipt(%s)", want.Report), got, err, want)
}

var publicationTests = []test[nodeStore]{
	{"PutThenGet", func(t *testing.T, s nodeStore) {
		p := putPublication(t, s, "pub-1", aggregation.Public, t0)
		wantPublication(t, s, p)
	}},
	{"Duplicate", func(t *testing.T, s nodeStore) {
		p := putPublication(t, s, "pub-1", aggregation.Public, t0)
		dup := *p
		dup.Body = []byte(`{"other":true}`)
		dup.PublishedAt = t1
		err := s.PutPublication(ctx(t), &dup)
		checkErr(t, "PutPublication(dup)", err, store.ErrPublished)
		wantPublication(t, s, p)
		wantPublications(t, s, p)
	}},
	{"Unknown", func(t *testing.T, s nodeStore) {
		putPublication(t, s, "pub-1", aggregation.Public, t0)
		_, err := s.Publication(ctx(t), "pub-2")
		checkErr(t, "Publication(unknown)", err, store.ErrUnknownReport)
	}},
	{"ListOldestFirst", func(t *testing.T, s nodeStore) {
		wantPublications(t, s)
		// Put out of time order: the list follows PublishedAt, not
		// the order of the calls.
		p2 := putPublication(t, s, "pub-b", aggregation.Private,
			t0.Add(2*time.Hour))
		p1 := putPublication(t, s, "pub-c", aggregation.Public, t0)
		p3 := putPublication(t, s, "pub-a", aggregation.Public,
			t0.Add(3*time.Hour))
		wantPublications(t, s, p1, p2, p3)
	}},
}

func putPublication(t *testing.T, s nodeStore, id string,
	tier aggregation.Tier, at time.Time) *store.Publication {
	t.Helper()
	// The body's spacing must survive: it is served exactly as stored.
	p := &store.Publication{ID: id, Batch: batchA, Tier: tier,
		PublishedAt: at, Body: []byte(`{ "id": "` + id + `" }`)}
	err := s.PutPublication(ctx(t), p)
	checkErr(t, fmt.Sprintf("PutPublication(%s)", id), err, nil)
	return p
}

func wantPublication(t *testing.T, s nodeStore, want *store.Publication) {
	t.Helper()
	got, err := s.Publication(ctx(t), want.ID)
	wantValue(t, fmt.Sprintf("Publication(%s)", want.ID), got, err, want)
}

func wantPublications(t *testing.T, s nodeStore, want ...*store.Publication) {
	t.Helper()
	got, err := s.Publications(ctx(t))
	wantList(t, "Publications()", got, err, want, pubID)
}

func pubID(p *store.Publication) string { return p.ID }

var pingTests = []test[nodeStore]{
	{"Answers", func(t *testing.T, s nodeStore) {
		if err := s.Ping(ctx(t)); err != nil {
			t.Errorf("Ping() = %v, want nil", err)
		}
	}},
}
