package main

import (
	"example.com/flat"
	_ "example.com/plain"
)

func main() { println(flat.V()) }
