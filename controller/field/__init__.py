"""Field tools: `campusguard diag` for technicians, `campusguard flash` / `bundle` for installers."""
