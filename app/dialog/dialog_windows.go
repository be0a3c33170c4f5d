package dialog

import (
	"os/exec"
	"strings"
)

// program is PowerShell, which every Windows since 7 has.
func program() string {
	if p, err := exec.LookPath("powershell.exe"); err == nil {
		return p
	}
	return ""
}

// args runs the Windows Forms open-file dialog; it prints the file chosen
// and exits 1 when cancelled.
func args(_ string, o Options) []string {
	q := func(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
	filter := "All files (*.*)|*.*"
	if len(o.Patterns) > 0 {
		filter = "Drawings|" + strings.Join(o.Patterns, ";") + "|" + filter
	}
	script := "Add-Type -AssemblyName System.Windows.Forms; " +
		"$d = New-Object System.Windows.Forms.OpenFileDialog; " +
		"$d.Title = " + q(o.Title) + "; $d.Filter = " + q(filter) + "; " +
		"if (" + q(o.Dir) + " -ne '') { $d.InitialDirectory = " + q(o.Dir) + " }; " +
		"if ($d.ShowDialog() -eq 'OK') { [Console]::Out.Write($d.FileName) } else { exit 1 }"
	return []string{"-NoProfile", "-STA", "-Command", script}
}
