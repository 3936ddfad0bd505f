"""bpy: run one render job: render the standard views, write the render result."""
