package main

import (
	"strconv"
	"time"
)

// Widths of the numbers a batch template rewrites in place: every batch of
// a connection has the same length, so a new batch is a copy of digits
// into known offsets rather than a fresh encoding.
const (
	seqWidth  = 10 // batch sequence number of the connection
	kWidth    = 12 // unique number of a comment
	tsWidth   = 13 // Unix ms, until the year 2286
	templates = 66 // a multiple of len(benchSentences) and len(benchComments)
)

// batchTemplate is one encoded batch and where its changing numbers sit.
// The load generator shares the cores with the server, so it pays for
// patching digits only, not for building JSON.
type batchTemplate struct {
	body []byte
	seq  []int // offsets of the batch number (event and order ids)
	k    []int // offsets of unique comment numbers, with the event index in kIdx
	kIdx []int
	ts   []int // offsets of event times
}

// benchTemplates builds the templates of one connection: a JSON array of n
// events in a live room's mix (comments, likes, viewers, clicks, orders).
// Half the comments repeat common ones; the other half are unique.
// Template t serves the batches whose number is t modulo templates, so the
// comments rotate through every sentence as before.
func benchTemplates(run string, conn, n int) []batchTemplate {
	ts := make([]batchTemplate, templates)
	for t := range ts {
		ts[t] = newBatchTemplate(run, conn, t, n)
	}
	return ts
}

func newBatchTemplate(run string, conn, seq, n int) batchTemplate {
	var t batchTemplate
	b := append(make([]byte, 0, n*200), '[')
	id := func(b []byte, i int) []byte {
		b = append(append(b, run...), '-')
		b = append(strconv.AppendInt(b, int64(conn), 10), '-')
		t.seq = append(t.seq, len(b))
		b = appendPadded(b, int64(seq), seqWidth)
		return strconv.AppendInt(append(b, '-'), int64(i), 10)
	}
	for i := range n {
		if i > 0 {
			b = append(b, ',')
		}
		b = id(append(b, `{"id":"`...), i)
		b = append(b, `","ts":`...)
		t.ts = append(t.ts, len(b))
		b = appendPadded(b, 0, tsWidth)
		switch i % 5 {
		case 0:
			b = append(b, `,"type":"comment","user_id":"u42","nickname":"观众","text":"`...)
			if k := seq*n + i; k%10 == 0 { // every other comment is one many viewers send
				b = append(b, benchComments[(k/10)%len(benchComments)]...)
			} else { // the rest are unique, so no cache of repeated comments flatters the figures
				b = append(b, benchSentences[(k/10)%len(benchSentences)]...)
				b = append(strconv.AppendInt(append(b, " 第"...), int64(conn), 10), '-')
				t.k, t.kIdx = append(t.k, len(b)), append(t.kIdx, i)
				b = append(appendPadded(b, int64(k), kWidth), "次问"...)
			}
			b = append(b, `"}`...)
		case 1:
			b = append(b, `,"type":"like","user_id":"u42","count":3}`...)
		case 2:
			b = append(b, `,"type":"viewers","online":12345}`...)
		case 3:
			b = append(b, `,"type":"product_click","user_id":"u42","sku":"A"}`...)
		default: // the event id doubles as the order id: every order is new
			b = append(b, `,"type":"order","user_id":"u42","sku":"A","qty":1,"amount":19900,"status":"paid","order_id":"`...)
			b = append(id(b, i), `"}`...)
		}
	}
	t.body = append(b, ']')
	return t
}

// fill rewrites the template in place as batch number seq of n events,
// stamped with the time now.
func (t *batchTemplate) fill(seq, n int, now time.Time) []byte {
	var digits [20]byte
	put := func(offs []int, v int64, width int) {
		d := appendPadded(digits[:0], v, width)
		for _, o := range offs {
			copy(t.body[o:o+width], d)
		}
	}
	put(t.seq, int64(seq), seqWidth)
	put(t.ts, now.UnixMilli(), tsWidth)
	for j, o := range t.k {
		copy(t.body[o:o+kWidth], appendPadded(digits[:0], int64(seq*n+t.kIdx[j]), kWidth))
	}
	return t.body
}

// appendPadded appends v (≥ 0) in decimal, zero-padded to width digits.
func appendPadded(b []byte, v int64, width int) []byte {
	var d [20]byte
	s := strconv.AppendInt(d[:0], v, 10)
	for range width - len(s) {
		b = append(b, '0')
	}
	return append(b, s...)
}

// benchSentences start the unique comments: questions and chatter of the
// length and mix of scripts viewers type.
var benchSentences = []string{
	"这件大衣有没有黑色的，我一米六五穿什么码", "主播今天的口红色号是多少", "想要！多少钱 how much? 😍",
	"敏感肌能用吗 有没有试用装", "上次买的已经收到了 质量很好 回购", "is it waterproof? 下雨天能穿吗",
}
