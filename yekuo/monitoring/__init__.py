"""Time-limit control (R9, R10; notice §3): warnings on the clocks, their notification and escalation,
and the control room's statistics and dashboards."""
