package app

// runInfo is not built yet; its issue replaces this file.
func runInfo(env *Env, args []string) error {
	return usagef("info: not available yet")
}
