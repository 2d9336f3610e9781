package memstore_test

import (
	"testing"

	"github.com/infermargin/infermargin/aggregation"
	"github.com/infermargin/infermargin/aggregation/memstore"
	"github.com/infermargin/infermargin/server/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.RunAggregation(t, func(*testing.T) aggregation.Store {
		return memstore.New()
	})
}
