package app

// runGen is not built yet; its issue replaces this file.
func runGen(env *Env, args []string) error {
	return usagef("gen: not available yet")
}
