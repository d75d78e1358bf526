package segment

import (
	_ "embed"
	"fmt"
	"sync"
)

// zh.dict is gse's simplified-Chinese dictionary (its "zh_s", which comes
// from jieba) as gse loads it, plus LiveDeck's live-commerce words; see
// TestDictFile, which checks it against gse and rebuilds it with -update.
//
//go:embed zh.dict
var zhDict string

var defaultDict = sync.OnceValues(func() (*Dict, error) {
	d, err := Parse(zhDict)
	if err != nil {
		return nil, fmt.Errorf("built-in dictionary: %w", err)
	}
	return d, nil
})

// Default returns the built-in dictionary, read in place from the binary.
func Default() (*Dict, error) { return defaultDict() }
