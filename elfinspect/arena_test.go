package elfinspect

// Every test of the package runs with poisoned arenas: a slice of file data
// kept past its file's reset reads 0xA5 bytes and changes results.
func init() { poisonArenas = true }
