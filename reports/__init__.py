"""Writers: render result objects as Excel workbooks, HTML and charts."""
