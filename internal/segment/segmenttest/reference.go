// Package segmenttest gives tests the gse segmenter that LiveDeck used
// before internal/segment, loaded the same way: the oracle that the
// built-in dictionary and every cut are checked against. It loads gse's
// whole dictionary (seconds, ~130 MiB): only tests import it.
package segmenttest

import (
	"sync"
	"testing"

	"github.com/go-ego/gse"
	"github.com/go-ego/gse/hmm"
)

// CommerceWords are live-room words gse's general dictionary splits ("上"
// "链接"); LiveDeck added them to gse with frequency 1000 (gse keeps the
// frequency of those it already knows).
var CommerceWords = []string{"上链接", "福袋", "秒杀", "包邮", "尺码", "发货", "优惠券", "直播间"}

// LoadHMM loads gse's HMM model into its hmm package's state, once. Every
// gse segmenter a test makes must be told not to load it (NotLoadHMM):
// each would write the model's maps again while others read them.
var LoadHMM = sync.OnceFunc(func() { hmm.LoadModel() })

var reference = sync.OnceValues(func() (*gse.Segmenter, error) {
	LoadHMM()
	s := &gse.Segmenter{NotLoadHMM: true, SkipLog: true}
	if err := s.LoadDictEmbed("zh_s"); err != nil {
		return nil, err
	}
	for _, w := range CommerceWords {
		if err := s.AddToken(w, 1000); err != nil {
			return nil, err
		}
	}
	return s, nil
})

// Reference returns gse with its simplified-Chinese dictionary and the
// commerce words, loaded once per process; t fails if it does not load.
func Reference(t testing.TB) *gse.Segmenter {
	t.Helper()
	s, err := reference()
	if err != nil {
		t.Fatalf("gse: %v", err)
	}
	return s
}
