package app

// runBench is not built yet; its issue replaces this file.
func runBench(env *Env, args []string) error {
	return usagef("bench: not available yet")
}
