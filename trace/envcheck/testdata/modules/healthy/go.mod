module example.com/healthy

go 1.21

require (
	example.com/flat v1.0.0
	example.com/plain v1.2.0
)
