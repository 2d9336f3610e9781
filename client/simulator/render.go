package simulator

import "fmt"

// The JSON of Stripe objects at API version 2023-10-16, with the
// fields the collector reads and enough of the others to look real.

func productJSON(p product) map[string]any {
	return map[string]any{"id": p.id, "object": "product",
		"active": p.active, "created": p.created, "default_price": nil,
		"description": nil, "images": []any{}, "livemode": false,
		"metadata": p.metadata, "name": p.name, "type": "service",
		"updated": p.created, "url": nil}
}

func invoiceJSON(inv *invoice) map[string]any {
	n := min(embeddedLines, len(inv.lines))
	data := make([]any, n)
	for i := range n {
		data[i] = lineJSON(inv, inv.lines[i])
	}
	lines := listJSON("/v1/invoices/"+inv.id+"/lines", data,
		len(inv.lines) > n)
	lines["total_count"] = len(inv.lines)
	due := amountDue(inv)
	paid := int64(0)
	if inv.status == "paid" {
		paid = max(due, 0)
	}
	return map[string]any{"id": inv.id, "object": "invoice",
		"customer": inv.customer, "subscription": inv.subscription,
		"status": inv.status, "currency": "usd", "created": inv.created,
		"livemode": false, "amount_due": max(due, 0),
		"amount_paid": paid, "total": due, "discount": nil,
		"collection_method": "charge_automatically",
		"billing_reason":    "subscription_cycle", "lines": lines}
}

func lineJSON(inv *invoice, l line) map[string]any {
	typ := "invoiceitem"
	if l.subscription {
		typ = "subscription"
	}
	discounts := []any{}
	for i, d := range l.discounts {
		discounts = append(discounts, map[string]any{"amount": d,
			"discount": fmtID("di", l.id, i)})
	}
	return map[string]any{"id": l.id, "object": "line_item",
		"amount": l.amount, "amount_excluding_tax": l.exTax,
		"currency": "usd", "description": l.desc,
		"discount_amounts": discounts, "discountable": true,
		"discounts": []any{}, "invoice": inv.id, "livemode": false,
		"metadata": map[string]string{},
		"period":   map[string]any{"start": l.start, "end": l.end},
		"plan":     nil, "price": priceJSON(l), "proration": false,
		"quantity": 1, "tax_amounts": []any{}, "tax_rates": []any{},
		"type": typ, "unit_amount_excluding_tax": "0"}
}

// priceJSON is the line's price, embedded with its product id; a line
// without a product has none.
func priceJSON(l line) any {
	if l.product == "" {
		return nil
	}
	p := map[string]any{"id": fmtID("price", l.product, l.interval+l.usage),
		"object": "price", "active": true, "billing_scheme": "per_unit",
		"currency": "usd", "product": l.product, "type": "one_time",
		"recurring": nil, "unit_amount": l.amount,
		"tax_behavior": "unspecified"}
	if l.usage != "" {
		p["type"] = "recurring"
		p["recurring"] = map[string]any{"interval": l.interval,
			"interval_count": 1, "usage_type": l.usage,
			"aggregate_usage": nil, "trial_period_days": nil}
	}
	return p
}

func balanceJSON(b balanceTx) map[string]any {
	var source any
	if b.typ == "charge" || b.typ == "payment" || b.typ == "refund" {
		source = fmtID("ch", b.id, "src")
	}
	return map[string]any{"id": b.id, "object": "balance_transaction",
		"amount": b.amount, "available_on": b.created + 2*86400,
		"created": b.created, "currency": "usd", "description": nil,
		"exchange_rate": nil, "fee": b.fee, "fee_details": []any{},
		"net": b.amount - b.fee, "reporting_category": b.typ,
		"source": source, "status": "available", "type": b.typ}
}

// fmtID derives an id, like a price's from its product's.
func fmtID(prefix, id string, suffix any) string {
	return fmt.Sprintf("%s_%s_%v", prefix, id, suffix)
}
