package connector

import (
	"io"

	"github.com/go-json-experiment/json/jsontext"
)

// readDoudianEnvelope is doudianEnvelope's reader (fastread.go).
func readDoudianEnvelope(r *msgReader, e *doudianEnvelope) error {
	return r.message(doudianEnvelopeNames, func(i int) error {
		switch i {
		case 0:
			return r.string(&e.Tag)
		case 1:
			return r.id(&e.MsgID)
		}
		return r.embedded(&e.Data)
	})
}

var (
	doudianEnvelopeNames = []string{"tag", "msg_id", "data"}
	doudianDataNames     = []string{"p_id", "s_ids", "s_id", "create_time", "pay_time", "pay_amount", "cancel_time",
		"success_time", "refund_amount"}
)

// unmarshalDoudianData is unmarshal(data, dd): the usual text read by
// readDoudianData, anything else (and every error) by unmarshal.
func unmarshalDoudianData(data []byte, dd *doudianData) error {
	t := getTextDecoder()
	r := t.reset(append(t.buf.AvailableBuffer(), data...))
	err := readDoudianData(r, dd)
	if err == nil {
		if _, end := r.dec.ReadToken(); end != io.EOF {
			err = errSlow // what follows the value is unmarshal's to word
		}
	}
	textDecoders.Put(t)
	if err == nil {
		return nil
	}
	*dd = doudianData{}
	return unmarshal(data, dd)
}

func readDoudianData(r *msgReader, d *doudianData) error {
	return r.message(doudianDataNames, func(i int) error {
		switch i {
		case 0:
			return r.id(&d.PID)
		case 1:
			return d.SIDs.UnmarshalJSONFrom(r.dec)
		case 2:
			return r.id(&d.SID)
		}
		return [...]*integer{&d.CreateTime, &d.PayTime, &d.PayAmount, &d.CancelTime, &d.SuccessTime, &d.RefundAmount}[i-3].UnmarshalJSONFrom(r.dec)
	})
}

// embedded reads an embeddedJSON member as its UnmarshalJSONFrom does,
// into r's scratch buffer: the bytes hold until the next message is read
// (doudianOne copies what it keeps).
func (r *msgReader) embedded(e *embeddedJSON) error {
	v, err := r.dec.ReadValue()
	if err != nil {
		return err
	}
	if v.Kind() == '"' {
		r.scratch, err = jsontext.AppendUnquote(r.scratch[:0], v)
	} else {
		r.scratch = append(r.scratch[:0], v...)
	}
	*e = r.scratch
	return err
}
