package app

// runBridge is not built yet; its issue replaces this file.
func runBridge(env *Env, args []string) error {
	return usagef("bridge: not available yet")
}
