// Package scan implements subset scanning.
package scan
