"""One construct per component. Each owns its functions, their grants and environment (through
infra/wiring.py and the resource map) and its alarms; infra/stack.py only wires them together."""
