package app

// runExport is not built yet; its issue replaces this file.
func runExport(env *Env, args []string) error {
	return usagef("export: not available yet")
}
