package segment

// What the external tests need of the internals.

var ZhDict = zhDict

const HeaderSize = headerSize

func (d *Dict) Total() float64 { return d.total }

// Find looks word up as gse does: its frequency, and whether any word
// begins with it.
func (d *Dict) Find(word string) (uint, bool) { return d.find(word) }

func LoadHMM() { loadHMM() }
