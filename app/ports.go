package app

// runPorts is not built yet; its issue replaces this file.
func runPorts(env *Env, args []string) error {
	return usagef("ports: not available yet")
}
