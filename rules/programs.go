package rules

import (
	"crypto/sha256"
	"runtime"
	"sync"
	"weak"
)

// programs shares compiled rule sets between the rooms of an engine whose
// sets have the same source, as rooms loaded from one template or show
// plan do. A compiled set is never changed after Compile (expr programs
// and text templates are safe to run from many goroutines), and each room
// keeps its own states and VM, so sharing is safe; 1,000 rooms then run
// one set of programs whose code stays in the CPU caches, not 1,000.
//
// The key is the source alone: the engine's banned words only add
// warnings, which a compiled set does not keep. An entry lives as long as
// some room uses its set.
type programs struct {
	mu   sync.Mutex
	sets map[[sha256.Size]byte]weak.Pointer[Compiled]
}

func newPrograms() *programs {
	return &programs{sets: map[[sha256.Size]byte]weak.Pointer[Compiled]{}}
}

// get returns the compiled set of src, compiling it with compile when no
// room of this engine holds it.
func (p *programs) get(src string, compile func() (*Compiled, error)) (*Compiled, error) {
	key := sha256.Sum256([]byte(src))
	p.mu.Lock()
	c := p.sets[key].Value()
	p.mu.Unlock()
	if c != nil {
		return c, nil
	}
	c, err := compile()
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if have := p.sets[key].Value(); have != nil {
		return have, nil // compiled meanwhile by another room
	}
	wp := weak.Make(c)
	p.sets[key] = wp
	runtime.AddCleanup(c, p.drop, cleanupKey{key, wp})
	return c, nil
}

type cleanupKey struct {
	key [sha256.Size]byte
	wp  weak.Pointer[Compiled]
}

// drop forgets a set no room uses any more, unless its key has been
// filled again since.
func (p *programs) drop(k cleanupKey) {
	p.mu.Lock()
	if p.sets[k.key] == k.wp {
		delete(p.sets, k.key)
	}
	p.mu.Unlock()
}

// size is the number of sets held, for tests.
func (p *programs) size() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.sets)
}
