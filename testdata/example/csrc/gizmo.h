int gizmo_level(void);
